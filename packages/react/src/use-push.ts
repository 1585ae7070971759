import {
  currentPushState,
  disablePush,
  enablePush,
  PushError,
  type PushRegistrationLike,
  type PushState,
  type RegistrationSource,
} from '@realtime/client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useRealtimeClient } from './realtime-provider.js';

/** Web Push on this device, for a settings switch. */
export interface PushControl {
  /** Where push stands on this device; null until known (while the service worker gets ready). */
  state: PushState | null;
  /** Why the last `enable()` or `disable()` (or the check on mount) failed; cleared by the next. */
  error: PushError | null;
  /** An `enable()` or `disable()` is under way; another call meanwhile does nothing. */
  busy: boolean;
  /** `enablePush`: call it from a click, the browser may ask the user for permission. */
  enable(): Promise<void>;
  /** `disablePush`: the gateway forgets this browser, then the browser drops its subscription. */
  disable(): Promise<void>;
}

export interface UsePushOptions {
  /**
   * When the browser already has a subscription, send it to the gateway again on mount (default true): browsers
   * replace subscriptions without always telling a service worker, so this keeps the gateway's copy current.
   */
  resync?: boolean;
}

type Snapshot = Pick<PushControl, 'state' | 'error' | 'busy'>;

// A thenable, so a page without service workers creates no rejected promise that nothing awaits.
const serviceWorkerReady: PromiseLike<PushRegistrationLike> = {
  then: (fulfilled, rejected) =>
    (typeof navigator !== 'undefined' && navigator.serviceWorker
      ? navigator.serviceWorker.ready
      : Promise.reject(new PushError('UNSUPPORTED', 'This browser has no service workers'))
    ).then(fulfilled, rejected),
};

const asPushError = (err: unknown) =>
  err instanceof PushError ? err : new PushError('PUSH_SERVICE_ERROR', String(err), { cause: err });

/**
 * Web Push on this device for the provider's user: `state` (`unsupported`, `denied`, `prompt`, `subscribed`,
 * `unsubscribed`), the last `error`, `busy`, and `enable()` / `disable()`. `registration` is the app's service
 * worker registration, or a promise of it, kept stable across renders (e.g. created once at module level); by
 * default `navigator.serviceWorker.ready` (register the worker yourself).
 * The state follows the browser's permission when it changes in the site settings.
 */
export function usePush(registration?: RegistrationSource, options: UsePushOptions = {}): PushControl {
  const { http } = useRealtimeClient();
  const resync = options.resync ?? true;
  const source = registration ?? serviceWorkerReady;
  const [snapshot, setSnapshot] = useState<Snapshot>({ state: null, error: null, busy: false });
  const busy = useRef(false);
  // Only the latest call's outcome is shown: a resync answered late would undo a click.
  const latest = useRef(0);

  const run = useCallback(
    async (action: () => Promise<PushState>, quiet = false) => {
      if (!quiet && busy.current) return;
      const id = ++latest.current;
      if (!quiet) {
        busy.current = true;
        setSnapshot((s) => ({ ...s, busy: true, error: null }));
      }
      let next: Snapshot;
      try {
        next = { state: await action(), error: null, busy: false };
      } catch (err) {
        next = { state: await currentPushState(source), error: asPushError(err), busy: false };
      }
      if (!quiet) busy.current = false;
      if (id === latest.current) setSnapshot(next);
      else if (!quiet) setSnapshot((s) => ({ ...s, busy: false }));
    },
    [source],
  );

  useEffect(() => {
    let live = true;
    const show = (state: PushState) => {
      if (live && !busy.current) setSnapshot((s) => ({ ...s, state }));
    };
    void currentPushState(source).then((state) => {
      show(state);
      if (live && state === 'subscribed' && resync) void run(() => enablePush({ http, registration: source }), true);
    });
    // Notifications allowed or blocked in the site settings while the page is open.
    const recheck = () => void currentPushState(source).then(show);
    let permission: PermissionStatus | null = null;
    if (typeof navigator !== 'undefined')
      navigator.permissions
        ?.query({ name: 'notifications' })
        .then((status) => {
          if (!live) return;
          permission = status;
          status.addEventListener('change', recheck);
        })
        .catch(() => undefined);
    return () => {
      live = false;
      permission?.removeEventListener('change', recheck);
    };
  }, [source, http, resync, run]);

  const enable = useCallback(() => run(() => enablePush({ http, registration: source })), [run, http, source]);
  const disable = useCallback(() => run(() => disablePush({ http, registration: source })), [run, http, source]);
  return useMemo(() => ({ ...snapshot, enable, disable }), [snapshot, enable, disable]);
}
