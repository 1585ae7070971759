import type { HttpClient } from './http-types.js';
import { browserPushError, httpPushError, PushError } from './push-error.js';

/** `Notification.permission`. */
export type NotificationPermissionState = 'default' | 'granted' | 'denied';

/**
 * Where Web Push stands on this device: `unsupported` (no way to), `denied` (blocked in the browser's site
 * settings), `prompt` (the browser will ask), `subscribed` or `unsubscribed` (allowed; on or off).
 */
export type PushState = 'unsupported' | 'denied' | 'prompt' | 'subscribed' | 'unsubscribed';

/** The part of the browser's `PushSubscription` the SDK uses (a real one fits; tests pass fakes). */
export interface PushSubscriptionLike {
  readonly endpoint: string;
  readonly options: { readonly applicationServerKey: ArrayBuffer | null };
  toJSON(): { endpoint?: string; expirationTime?: number | null; keys?: Record<string, string> };
  unsubscribe(): Promise<boolean>;
}

/** The part of the browser's `PushManager` the SDK uses. */
export interface PushManagerLike {
  getSubscription(): Promise<PushSubscriptionLike | null>;
  subscribe(options: { userVisibleOnly: true; applicationServerKey: ArrayBuffer }): Promise<PushSubscriptionLike>;
}

/** A `ServiceWorkerRegistration` (in a page) or `self.registration` (in the service worker). */
export interface PushRegistrationLike {
  readonly pushManager: PushManagerLike;
}

/** The globals Web Push needs: `window` in a page, `self` in a worker, a fake in a test. */
export interface PushScope {
  navigator?: { serviceWorker?: unknown };
  PushManager?: unknown;
  Notification?: {
    readonly permission: NotificationPermissionState;
    requestPermission(): Promise<NotificationPermissionState>;
  };
}

/** A registration, or a promise of one (`navigator.serviceWorker.ready`), awaited only when it is needed. */
export type RegistrationSource = PushRegistrationLike | PromiseLike<PushRegistrationLike>;

/** The routes Web Push calls: `client.http`, or `createHttpClient(...)` in a service worker. */
export type PushHttp = Pick<HttpClient, 'getVapidPublicKey' | 'registerPushSubscription' | 'deletePushSubscription'>;

export interface PushOptions {
  http: PushHttp;
  registration: RegistrationSource;
  /** Where to find `Notification` and the others (default: `globalThis`). */
  scope?: PushScope;
}

export interface PushSupport {
  /** Service workers, `PushManager` and `Notification` are all there. */
  supported: boolean;
  /** `Notification.permission`; null without `Notification`. */
  permission: NotificationPermissionState | null;
}

// Read when called, never at import: the module loads in service workers and on servers too.
const globalScope = () => globalThis as unknown as PushScope;

/** Whether this browser can do Web Push, and whether notifications are allowed, asked or blocked. */
export function pushSupport(scope: PushScope = globalScope()): PushSupport {
  const supported =
    typeof scope.navigator === 'object' &&
    scope.navigator !== null &&
    'serviceWorker' in scope.navigator &&
    'PushManager' in scope &&
    'Notification' in scope;
  return { supported, permission: scope.Notification?.permission ?? null };
}

/**
 * Where Web Push stands on this device. `registration` is awaited only once notifications are allowed, to look
 * at its subscription; one that fails (the service worker could not be registered) makes it `unsupported`.
 */
export async function currentPushState(registration: RegistrationSource, scope?: PushScope): Promise<PushState> {
  const { supported, permission } = pushSupport(scope);
  if (!supported) return 'unsupported';
  if (permission === 'denied') return 'denied';
  if (permission !== 'granted') return 'prompt';
  try {
    const { pushManager } = await registration;
    return (await pushManager.getSubscription()) ? 'subscribed' : 'unsubscribed';
  } catch {
    return 'unsupported';
  }
}

/**
 * Turns Web Push on for this browser and the signed-in user: asks for permission when the browser has not
 * asked yet, subscribes at the browser's push service with the gateway's VAPID key (keeping a subscription
 * made with that key, replacing one made with another) and registers it with the gateway. Call it from a
 * user gesture (a click): browsers ignore or block a permission prompt that comes from nothing. Called again
 * when permission is already granted, it asks nothing and sends the current subscription again, which is
 * how a page keeps the gateway's copy current. Rejects with a `PushError`.
 */
export async function enablePush({ http, registration, scope = globalScope() }: PushOptions): Promise<'subscribed'> {
  const { Notification } = scope;
  if (!pushSupport(scope).supported || !Notification)
    throw new PushError('UNSUPPORTED', 'This browser cannot receive push notifications');
  // Nothing is awaited before the prompt: the browser must still see the user's gesture.
  let permission = Notification.permission;
  if (permission === 'default') {
    try {
      permission = await Notification.requestPermission();
    } catch (err) {
      throw browserPushError(err);
    }
  }
  if (permission === 'denied') throw new PushError('PERMISSION_DENIED', 'Notifications are blocked for this site');
  if (permission !== 'granted') throw new PushError('PERMISSION_DENIED', 'Notifications were not allowed');

  const { pushManager } = await browser(async () => registration);
  const key = await vapidKey(http);
  const existing = await browser(() => pushManager.getSubscription());
  if (existing && sameBytes(existing.options.applicationServerKey, key)) {
    await register(http, existing);
    return 'subscribed';
  }
  // Made with another key (the gateway's was rotated): the push service would refuse our pushes to it.
  if (existing) {
    await forget(http, existing.endpoint);
    await browser(() => existing.unsubscribe());
  }
  const created = await browser(() => pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
  try {
    await register(http, created);
  } catch (err) {
    // A subscription the gateway does not know would show this device as on while nothing reaches it.
    await created.unsubscribe().catch(() => false);
    throw err;
  }
  return 'subscribed';
}

/**
 * Turns Web Push off for this browser: the gateway forgets the subscription first (so nothing is pushed to an
 * endpoint about to die), then the browser drops it. A gateway that cannot be told leaves it on, and rejects.
 */
export async function disablePush({ http, registration }: PushOptions): Promise<'unsubscribed'> {
  const { pushManager } = await browser(async () => registration);
  const subscription = await browser(() => pushManager.getSubscription());
  if (!subscription) return 'unsubscribed';
  const res = await http.deletePushSubscription({ body: { endpoint: subscription.endpoint } });
  if (!res.ok) throw httpPushError(res.error);
  await browser(() => subscription.unsubscribe());
  return 'unsubscribed';
}

/** A `pushsubscriptionchange` event's subscriptions (either may be null), or just the old endpoint. */
export interface SubscriptionChange extends Omit<PushOptions, 'scope'> {
  oldSubscription?: {
    readonly endpoint: string;
    readonly options?: { readonly applicationServerKey: ArrayBuffer | null };
  } | null;
  newSubscription?: PushSubscriptionLike | null;
}

/**
 * For a service worker's `pushsubscriptionchange` (the push service expired or replaced the subscription):
 * takes the new subscription, or the browser's current one, or subscribes again with the old one's key (the
 * gateway's when it had none), registers it with the gateway and forgets the old endpoint there. Uses no DOM
 * global, so it runs in a service worker; it needs an `http` client with a token there.
 *
 * ```js
 * self.addEventListener('pushsubscriptionchange', (event) => {
 *   const { oldSubscription, newSubscription } = event;
 *   event.waitUntil(resubscribeOnChange({ http, registration: self.registration, oldSubscription, newSubscription }));
 * });
 * ```
 */
export async function resubscribeOnChange(change: SubscriptionChange): Promise<PushSubscriptionLike> {
  const { http, oldSubscription } = change;
  const { pushManager } = await browser(async () => change.registration);
  let next = change.newSubscription ?? (await browser(() => pushManager.getSubscription()));
  if (!next) {
    const key = oldSubscription?.options?.applicationServerKey ?? (await vapidKey(http));
    next = await browser(() => pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
  }
  await register(http, next);
  if (oldSubscription && oldSubscription.endpoint !== next.endpoint) await forget(http, oldSubscription.endpoint);
  return next;
}

async function vapidKey(http: PushHttp): Promise<ArrayBuffer> {
  const res = await http.getVapidPublicKey();
  if (!res.ok) throw httpPushError(res.error);
  const key = decodeBase64Url(res.body.publicKey);
  if (!key) throw new PushError('REQUEST_FAILED', 'The gateway answered a VAPID key that is not base64url');
  return key;
}

/** A call to the browser's push API, its rejection (a DOMException) as a `PushError`. */
async function browser<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw browserPushError(err);
  }
}

async function register(http: PushHttp, subscription: PushSubscriptionLike): Promise<void> {
  const json = subscription.toJSON();
  const { p256dh, auth } = json.keys ?? {};
  if (!p256dh || !auth) throw new PushError('PUSH_SERVICE_ERROR', 'The subscription has no encryption keys');
  const res = await http.registerPushSubscription({
    body: {
      endpoint: json.endpoint ?? subscription.endpoint,
      expirationTime: json.expirationTime ?? null,
      keys: { p256dh, auth },
    },
  });
  if (!res.ok) throw httpPushError(res.error);
}

// Best effort: the gateway also drops an endpoint the first time its push service answers 404 or 410.
async function forget(http: PushHttp, endpoint: string): Promise<void> {
  await http.deletePushSubscription({ body: { endpoint } });
}

function decodeBase64Url(text: string): ArrayBuffer | null {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(text)) return null;
  const base64 = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  try {
    const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer;
  } catch {
    return null;
  }
}

function sameBytes(a: ArrayBuffer | null, b: ArrayBuffer): boolean {
  if (!a || a.byteLength !== b.byteLength) return false;
  const [x, y] = [new Uint8Array(a), new Uint8Array(b)];
  return x.every((byte, i) => byte === y[i]);
}
