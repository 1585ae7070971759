import type { Notification } from '@realtime/contracts';
import { describe, expectTypeOf, it } from 'vitest';
import type { HttpClient, HttpResult } from './http-types.js';
import type { ActionResult, RealtimeClient } from './client-types.js';

declare const http: HttpClient;
declare const client: RealtimeClient;

describe('HttpClient types', () => {
  it('types each route by its request and its answers', async () => {
    const page = await http.listNotifications({ query: { limit: 10 } });
    if (page.ok) {
      expectTypeOf(page.status).toEqualTypeOf<200>();
      expectTypeOf(page.body.items).toEqualTypeOf<Notification[]>();
      expectTypeOf(page.body.version).toEqualTypeOf<number>();
    } else {
      expectTypeOf(page.error.code).toExtend<string>();
    }
    const deleted = await http.deleteNotification({ params: { id: 'x' } });
    if (deleted.ok) expectTypeOf(deleted.body).toEqualTypeOf<void>();
    const created = await http.createNotification({ body: { userId: 'a', title: 't', message: 'm' } });
    if (created.ok) expectTypeOf(created.status).toEqualTypeOf<201>();
    expectTypeOf<HttpResult<never>>().not.toBeAny();
  });

  it('types the Web Push and deliveries routes', async () => {
    const key = await http.getVapidPublicKey();
    if (key.ok) expectTypeOf(key.body.publicKey).toEqualTypeOf<string>();
    const registered = await http.registerPushSubscription({
      body: { endpoint: 'https://fcm.googleapis.com/x', keys: { p256dh: 'p', auth: 'a' } },
    });
    if (registered.ok) {
      expectTypeOf(registered.status).toEqualTypeOf<200 | 201>();
      expectTypeOf(registered.body.endpoint).toEqualTypeOf<string>();
    }
    const deleted = await http.deletePushSubscription({ body: { endpoint: 'https://fcm.googleapis.com/x' } });
    if (deleted.ok) expectTypeOf(deleted.body).toEqualTypeOf<void>();
    const deliveries = await http.listDeliveries({ params: { id: 'n1' } });
    if (deliveries.ok)
      expectTypeOf(deliveries.body.deliveries[0]!.channel).toEqualTypeOf<'push' | 'email' | 'webhook'>();
    // @ts-expect-error the keys are required
    void http.registerPushSubscription({ body: { endpoint: 'https://fcm.googleapis.com/x' } });
    // @ts-expect-error the endpoint to forget is required
    void http.deletePushSubscription();
  });

  it('requires what a route requires and refuses what it does not take', () => {
    // @ts-expect-error a path parameter is required
    void http.deleteNotification();
    // @ts-expect-error the body is required
    void http.createNotification({});
    // @ts-expect-error this route takes no body
    void http.listNotifications({ body: { title: 'x' } });
    // @ts-expect-error unread is 'true' | 'false' | '1' | '0'
    void http.listNotifications({ query: { unread: 'yes' } });
    // @ts-expect-error no such route
    void http.nope;
    void http.health();
  });
});

describe('RealtimeClient types', () => {
  it('types server events, SDK events and acknowledgements', async () => {
    client.on('notification:new', (p) => expectTypeOf(p.notification.seq).toEqualTypeOf<number>());
    client.on('notification', (d) => expectTypeOf(d.replayed).toEqualTypeOf<boolean>());
    client.on('state', (c) =>
      expectTypeOf(c.to).toEqualTypeOf<'disconnected' | 'connecting' | 'connected' | 'synced' | 'failed'>(),
    );
    // @ts-expect-error not an event
    client.on('notification:nope', () => undefined);
    const res = await client.markRead('id');
    expectTypeOf(res).toEqualTypeOf<ActionResult<'notification:mark_read'>>();
    if (res.ok) expectTypeOf(res.version).toEqualTypeOf<number>();
    else expectTypeOf(res.error.code).toExtend<string>();
  });
});
