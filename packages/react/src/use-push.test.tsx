import { createHttpClient, type FetchLike, type PushSubscriptionLike, type RealtimeClient } from '@realtime/client';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RealtimeProvider } from './realtime-provider.js';
import { usePush } from './use-push.js';

const KEY = Uint8Array.from({ length: 65 }, (_, i) => i + 4);
const KEYS = { p256dh: 'p', auth: 'a' };

/** The browser's push objects as far as the SDK uses them, and what the gateway was asked. */
function fakes(answers: Record<string, number> = {}) {
  const asked: string[] = [];
  let current: PushSubscriptionLike | null = null;
  const subscription = (endpoint: string, key: ArrayBuffer): PushSubscriptionLike => ({
    endpoint,
    options: { applicationServerKey: key },
    toJSON: () => ({ endpoint, expirationTime: null, keys: KEYS }),
    unsubscribe: async () => ((current = null), true),
  });
  const pushManager = {
    getSubscription: async () => current,
    subscribe: async ({ applicationServerKey }: { applicationServerKey: ArrayBuffer }) =>
      (current = subscription('https://fcm.googleapis.com/fcm/send/1', applicationServerKey)),
  };
  const fetch: FetchLike = async (url, init) => {
    const route = `${init.method} ${new URL(url).pathname}`;
    asked.push(route);
    const status = answers[route] ?? (init.method === 'GET' ? 200 : init.method === 'POST' ? 201 : 204);
    const body =
      status >= 400
        ? { statusCode: status, code: status === 404 ? 'NOT_FOUND' : 'UNAVAILABLE', message: 'no' }
        : route.startsWith('GET')
          ? { publicKey: Buffer.from(KEY).toString('base64url') }
          : { endpoint: 'https://fcm.googleapis.com/fcm/send/1' };
    return { status, headers: { get: () => 'application/json' }, text: async () => JSON.stringify(body) };
  };
  // Only what the provider and the hook touch: no socket is opened.
  const client = {
    http: createHttpClient({ url: 'http://gw', fetch, getToken: () => 't' }),
    connect: () => undefined,
    disconnect: () => undefined,
  } as unknown as RealtimeClient;
  const wrapper = ({ children }: { children: ReactNode }) => (
    <RealtimeProvider client={client}>{children}</RealtimeProvider>
  );
  return {
    asked,
    wrapper,
    registration: { pushManager },
    subscribe: () => (current = subscription('https://fcm.googleapis.com/fcm/send/0', KEY.slice().buffer)),
  };
}

describe('usePush', () => {
  const Notification = { permission: 'default', requestPermission: async () => (Notification.permission = 'granted') };

  beforeEach(() => {
    Notification.permission = 'default';
    vi.stubGlobal('PushManager', class {});
    vi.stubGlobal('Notification', Notification);
    Object.defineProperty(navigator, 'serviceWorker', { value: {}, configurable: true });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    Reflect.deleteProperty(navigator, 'serviceWorker');
  });

  it('goes from prompt to subscribed, busy in between', async () => {
    const { asked, wrapper, registration } = fakes();
    const { result } = renderHook(() => usePush(registration), { wrapper });
    await waitFor(() => expect(result.current.state).toBe('prompt'));
    let done: Promise<void> = Promise.resolve();
    act(() => void (done = result.current.enable()));
    expect(result.current.busy).toBe(true);
    await act(() => done);
    expect(result.current).toMatchObject({ state: 'subscribed', error: null, busy: false });
    expect(asked).toEqual(['GET /api/push/vapid-public-key', 'POST /api/push/subscriptions']);

    await act(() => result.current.disable());
    expect(result.current).toMatchObject({ state: 'unsubscribed', error: null, busy: false });
  });

  it('shows the error and the state the browser is left in', async () => {
    Notification.permission = 'granted';
    const { wrapper, registration } = fakes({ 'GET /api/push/vapid-public-key': 404 });
    const { result } = renderHook(() => usePush(registration), { wrapper });
    await waitFor(() => expect(result.current.state).toBe('unsubscribed'));
    await act(() => result.current.enable());
    expect(result.current.error?.code).toBe('NOT_CONFIGURED');
    expect(result.current).toMatchObject({ state: 'unsubscribed', busy: false });
  });

  it('sends an existing subscription again on mount, unless told not to', async () => {
    Notification.permission = 'granted';
    const { asked, wrapper, registration, subscribe } = fakes();
    subscribe();
    const { result } = renderHook(() => usePush(registration), { wrapper });
    await waitFor(() => expect(asked).toContain('POST /api/push/subscriptions'));
    expect(result.current).toMatchObject({ state: 'subscribed', error: null, busy: false });

    const quiet = fakes();
    quiet.subscribe();
    const { result: off } = renderHook(() => usePush(quiet.registration, { resync: false }), {
      wrapper: quiet.wrapper,
    });
    await waitFor(() => expect(off.current.state).toBe('subscribed'));
    // A resync would have asked before this marker.
    await act(() => off.current.disable());
    expect(quiet.asked).toEqual(['DELETE /api/push/subscriptions']);
  });
});
