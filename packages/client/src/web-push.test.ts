import { describe, expect, it } from 'vitest';
import { createHttpClient } from './http-client.js';
import type { FetchLike } from './http-types.js';
import { PushError } from './push-error.js';
import {
  currentPushState,
  disablePush,
  enablePush,
  type NotificationPermissionState,
  type PushScope,
  type PushSubscriptionLike,
  pushSupport,
  resubscribeOnChange,
} from './web-push.js';

const bytes = (length: number, first: number) => Uint8Array.from({ length }, (_, i) => (first + i) % 256);
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url');
const VAPID = bytes(65, 4);
const ROTATED = bytes(65, 9);
const KEYS = { p256dh: b64url(bytes(65, 1)), auth: b64url(bytes(16, 2)) };

/** Everything the browser and the gateway were asked, in order, in one list. */
type Log = string[];

/** The browser's PushManager and its subscriptions, as far as the SDK uses them. */
class FakePushManager {
  current: PushSubscriptionLike | null = null;
  subscribeError: Error | null = null;
  lastKey: Uint8Array | null = null;
  private made = 0;

  constructor(private readonly log: Log) {}

  getSubscription = async () => this.current;

  subscribe = async (options: { userVisibleOnly: true; applicationServerKey: ArrayBuffer }) => {
    this.log.push(`browser subscribe userVisibleOnly=${options.userVisibleOnly}`);
    if (this.subscribeError) throw this.subscribeError;
    this.lastKey = new Uint8Array(options.applicationServerKey);
    return (this.current = this.subscription(`https://fcm.googleapis.com/fcm/send/${++this.made}`, this.lastKey));
  };

  /** A subscription made with `key`, as the browser keeps it. */
  subscription(endpoint: string, key: Uint8Array | null): PushSubscriptionLike {
    const stored = key ? key.slice().buffer : null;
    return {
      endpoint,
      options: { applicationServerKey: stored },
      toJSON: () => ({ endpoint, expirationTime: null, keys: KEYS }),
      unsubscribe: async () => {
        this.log.push(`browser unsubscribe ${endpoint}`);
        if (this.current?.endpoint === endpoint) this.current = null;
        return true;
      },
    };
  }
}

/** A window with service workers, PushManager and a Notification whose prompt answers `answer`. */
function fakeScope(permission: NotificationPermissionState, answer: NotificationPermissionState = permission) {
  const prompts: string[] = [];
  const Notification = {
    permission,
    requestPermission: async () => {
      prompts.push('asked');
      return (Notification.permission = answer);
    },
  };
  const scope: PushScope = { navigator: { serviceWorker: {} }, PushManager: class {}, Notification };
  return { scope, prompts };
}

type Answer = { status: number; body?: unknown } | 'down';

/** The gateway's push routes over a fake fetch, each answering as told (by default as a working gateway). */
function fakeGateway(log: Log, answers: Record<string, Answer> = {}) {
  const defaults: Record<string, Answer> = {
    'GET /api/push/vapid-public-key': { status: 200, body: { publicKey: b64url(VAPID) } },
    'POST /api/push/subscriptions': { status: 201 },
    'DELETE /api/push/subscriptions': { status: 204 },
  };
  const bodies: unknown[] = [];
  const fetch: FetchLike = async (url, init) => {
    const route = `${init.method} ${new URL(url).pathname}`;
    const body = init.body ? (JSON.parse(init.body) as { endpoint?: string }) : undefined;
    log.push(`gateway ${route}${body?.endpoint ? ` ${body.endpoint}` : ''}`);
    if (body) bodies.push(body);
    const answer = answers[route] ?? defaults[route] ?? { status: 500 };
    if (answer === 'down') throw new TypeError('fetch failed');
    const json =
      answer.body ?? (route.startsWith('POST') && answer.status < 300 ? { endpoint: body?.endpoint } : undefined);
    const text = json === undefined ? '' : JSON.stringify(json);
    return { status: answer.status, headers: { get: () => 'application/json' }, text: async () => text };
  };
  return { http: createHttpClient({ url: 'http://gw', fetch, getToken: () => 'token' }), bodies };
}

const failure = (status: number, code: string, message = code) => ({
  status,
  body: { statusCode: status, code, message },
});

function setUp(
  permission: NotificationPermissionState = 'granted',
  options: { answer?: NotificationPermissionState; gateway?: Record<string, Answer> } = {},
) {
  const log: Log = [];
  const pushManager = new FakePushManager(log);
  const { scope, prompts } = fakeScope(permission, options.answer);
  const { http, bodies } = fakeGateway(log, options.gateway);
  return { log, pushManager, scope, prompts, http, bodies, push: { http, registration: { pushManager }, scope } };
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('resolved'),
    (err: unknown) => {
      expect(err).toBeInstanceOf(PushError);
      return err as PushError;
    },
  );

describe('pushSupport and currentPushState', () => {
  it('needs service workers, PushManager and Notification, and reads the permission', async () => {
    expect(pushSupport(fakeScope('default').scope)).toEqual({ supported: true, permission: 'default' });
    expect(pushSupport({ navigator: {}, PushManager: class {} })).toEqual({ supported: false, permission: null });
    // Node has no window: importing and asking is safe where none of these exist (a service worker, a server).
    expect(pushSupport()).toEqual({ supported: false, permission: null });
  });

  it('tells unsupported, denied, prompt, subscribed and unsubscribed apart', async () => {
    const { pushManager } = setUp();
    const registration = { pushManager };
    expect(await currentPushState(registration, {})).toBe('unsupported');
    expect(await currentPushState(registration, fakeScope('denied').scope)).toBe('denied');
    expect(await currentPushState(registration, fakeScope('default').scope)).toBe('prompt');
    expect(await currentPushState(registration, fakeScope('granted').scope)).toBe('unsubscribed');
    pushManager.current = pushManager.subscription('https://fcm.googleapis.com/fcm/send/x', VAPID);
    expect(await currentPushState(registration, fakeScope('granted').scope)).toBe('subscribed');
  });
  it('takes a promise of the registration (navigator.serviceWorker.ready), one that failed being unsupported', async () => {
    const { pushManager, push } = setUp();
    pushManager.current = pushManager.subscription('https://fcm.googleapis.com/fcm/send/x', VAPID);
    expect(await currentPushState(Promise.resolve({ pushManager }), push.scope)).toBe('subscribed');
    const failed = Promise.reject(new DOMException('sw.js: 404', 'SecurityError'));
    expect(await currentPushState(failed, push.scope)).toBe('unsupported');
    const err = await rejection(enablePush({ ...push, registration: failed }));
    expect(err.code).toBe('PUSH_SERVICE_ERROR');
    expect(err.message).toContain('sw.js: 404');
  });
});

describe('enablePush', () => {
  it('asks once, subscribes with the gateway key and registers the subscription', async () => {
    const { log, pushManager, prompts, bodies, push } = setUp('default', { answer: 'granted' });
    expect(await enablePush(push)).toBe('subscribed');
    expect(prompts).toEqual(['asked']);
    expect(pushManager.lastKey).toEqual(VAPID);
    expect(log).toEqual([
      'gateway GET /api/push/vapid-public-key',
      'browser subscribe userVisibleOnly=true',
      'gateway POST /api/push/subscriptions https://fcm.googleapis.com/fcm/send/1',
    ]);
    expect(bodies).toEqual([{ endpoint: 'https://fcm.googleapis.com/fcm/send/1', expirationTime: null, keys: KEYS }]);
    expect(await currentPushState(push.registration, push.scope)).toBe('subscribed');
  });

  it('reuses a subscription made with the same key and sends it again, asking nothing', async () => {
    const { log, pushManager, prompts, push } = setUp('granted', {
      gateway: { 'POST /api/push/subscriptions': { status: 200 } },
    });
    pushManager.current = pushManager.subscription('https://fcm.googleapis.com/fcm/send/kept', VAPID);
    expect(await enablePush(push)).toBe('subscribed');
    expect(prompts).toEqual([]);
    expect(log).toEqual([
      'gateway GET /api/push/vapid-public-key',
      'gateway POST /api/push/subscriptions https://fcm.googleapis.com/fcm/send/kept',
    ]);
  });

  it('replaces a subscription made with another key (the gateway rotated it)', async () => {
    const { log, pushManager, push } = setUp();
    pushManager.current = pushManager.subscription('https://fcm.googleapis.com/fcm/send/old', ROTATED);
    expect(await enablePush(push)).toBe('subscribed');
    expect(pushManager.lastKey).toEqual(VAPID);
    expect(log).toEqual([
      'gateway GET /api/push/vapid-public-key',
      'gateway DELETE /api/push/subscriptions https://fcm.googleapis.com/fcm/send/old',
      'browser unsubscribe https://fcm.googleapis.com/fcm/send/old',
      'browser subscribe userVisibleOnly=true',
      'gateway POST /api/push/subscriptions https://fcm.googleapis.com/fcm/send/1',
    ]);
  });

  it('fails with PERMISSION_DENIED when blocked or when the prompt is dismissed, and calls nothing', async () => {
    const blocked = setUp('denied');
    const err = await rejection(enablePush(blocked.push));
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(blocked.prompts).toEqual([]);
    expect(blocked.log).toEqual([]);

    const dismissed = setUp('default', { answer: 'default' });
    expect((await rejection(enablePush(dismissed.push))).code).toBe('PERMISSION_DENIED');
    expect(dismissed.prompts).toEqual(['asked']);
    expect(dismissed.log).toEqual([]);
    expect(await currentPushState(dismissed.push.registration, dismissed.scope)).toBe('prompt');
  });

  it('fails with UNSUPPORTED without PushManager, asking nothing', async () => {
    const { scope, prompts, push } = setUp('default');
    delete scope.PushManager;
    expect((await rejection(enablePush(push))).code).toBe('UNSUPPORTED');
    expect(prompts).toEqual([]);
  });

  it('fails with NOT_CONFIGURED when the gateway has no Web Push (404), before subscribing', async () => {
    const { log, push } = setUp('granted', {
      gateway: { 'GET /api/push/vapid-public-key': failure(404, 'NOT_FOUND', 'Web Push is not configured') },
    });
    const err = await rejection(enablePush(push));
    expect(err.code).toBe('NOT_CONFIGURED');
    expect(err.httpError).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    expect(log).toEqual(['gateway GET /api/push/vapid-public-key']);
  });

  it('fails with ENDPOINT_REFUSED on a 400, and drops the subscription it made', async () => {
    const { log, push } = setUp('granted', {
      gateway: { 'POST /api/push/subscriptions': failure(400, 'VALIDATION_ERROR', 'endpoint origin not allowed') },
    });
    const err = await rejection(enablePush(push));
    expect(err.code).toBe('ENDPOINT_REFUSED');
    expect(err.message).toContain('endpoint origin not allowed');
    expect(log.at(-1)).toBe('browser unsubscribe https://fcm.googleapis.com/fcm/send/1');
    expect(await currentPushState(push.registration, push.scope)).toBe('unsubscribed');
  });

  it('fails with NETWORK_ERROR when the gateway cannot be reached, REQUEST_FAILED for other errors', async () => {
    const down = setUp('granted', { gateway: { 'GET /api/push/vapid-public-key': 'down' } });
    expect((await rejection(enablePush(down.push))).code).toBe('NETWORK_ERROR');
    const busy = setUp('granted', { gateway: { 'POST /api/push/subscriptions': failure(503, 'UNAVAILABLE') } });
    expect((await rejection(enablePush(busy.push))).code).toBe('REQUEST_FAILED');
  });

  it("fails with PUSH_SERVICE_ERROR when the browser's push service does not answer (headless browsers)", async () => {
    const { log, pushManager, push } = setUp();
    pushManager.subscribeError = new DOMException('Registration failed - push service not available', 'AbortError');
    const err = await rejection(enablePush(push));
    expect(err.code).toBe('PUSH_SERVICE_ERROR');
    expect(err.message).toContain('push service not available');
    expect(err.cause).toBe(pushManager.subscribeError);
    expect(log).not.toContainEqual(expect.stringContaining('POST'));
  });
});

describe('disablePush', () => {
  it('tells the gateway first, then drops the browser subscription', async () => {
    const { log, pushManager, push } = setUp();
    pushManager.current = pushManager.subscription('https://fcm.googleapis.com/fcm/send/a', VAPID);
    expect(await disablePush(push)).toBe('unsubscribed');
    expect(log).toEqual([
      'gateway DELETE /api/push/subscriptions https://fcm.googleapis.com/fcm/send/a',
      'browser unsubscribe https://fcm.googleapis.com/fcm/send/a',
    ]);
  });

  it('keeps the subscription when the gateway cannot be told, and does nothing without one', async () => {
    const { log, pushManager, push } = setUp('granted', { gateway: { 'DELETE /api/push/subscriptions': 'down' } });
    expect(await disablePush(push)).toBe('unsubscribed');
    expect(log).toEqual([]);
    pushManager.current = pushManager.subscription('https://fcm.googleapis.com/fcm/send/a', VAPID);
    expect((await rejection(disablePush(push))).code).toBe('NETWORK_ERROR');
    expect(log).not.toContainEqual(expect.stringContaining('browser unsubscribe'));
    expect(await currentPushState(push.registration, push.scope)).toBe('subscribed');
  });
});

describe('resubscribeOnChange', () => {
  it('subscribes again with the old key, registers the new endpoint and forgets the old one', async () => {
    const { log, pushManager, http } = setUp();
    const old = pushManager.subscription('https://fcm.googleapis.com/fcm/send/old', ROTATED);
    const next = await resubscribeOnChange({
      http,
      registration: { pushManager },
      oldSubscription: old,
      newSubscription: null,
    });
    expect(next.endpoint).toBe('https://fcm.googleapis.com/fcm/send/1');
    expect(pushManager.lastKey).toEqual(ROTATED);
    expect(log).toEqual([
      'browser subscribe userVisibleOnly=true',
      'gateway POST /api/push/subscriptions https://fcm.googleapis.com/fcm/send/1',
      'gateway DELETE /api/push/subscriptions https://fcm.googleapis.com/fcm/send/old',
    ]);
  });

  it("takes the event's new subscription, or the gateway's key when the old one is only an endpoint", async () => {
    const given = setUp();
    const fresh = given.pushManager.subscription('https://fcm.googleapis.com/fcm/send/new', VAPID);
    await resubscribeOnChange({
      http: given.http,
      registration: { pushManager: given.pushManager },
      newSubscription: fresh,
    });
    expect(given.log).toEqual(['gateway POST /api/push/subscriptions https://fcm.googleapis.com/fcm/send/new']);

    const bare = setUp();
    await resubscribeOnChange({
      http: bare.http,
      registration: { pushManager: bare.pushManager },
      oldSubscription: { endpoint: 'https://fcm.googleapis.com/fcm/send/gone' },
    });
    expect(bare.pushManager.lastKey).toEqual(VAPID);
    expect(bare.log[0]).toBe('gateway GET /api/push/vapid-public-key');
    expect(bare.log.at(-1)).toBe('gateway DELETE /api/push/subscriptions https://fcm.googleapis.com/fcm/send/gone');
  });
});
