import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createFeedStore,
  createHttpClient,
  createRealtimeClient,
  type FeedStore,
  type RealtimeClient,
} from '../src/index.js';
import { until, untilState } from './support/client-events.js';
import { type Gateway, publish, sign, startGateway, uniqueUser } from './support/gateway.js';

let gw: Gateway;
const open: RealtimeClient[] = [];

beforeAll(async () => {
  gw = await startGateway();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(() => gw?.stop());

async function connected(user: string): Promise<RealtimeClient> {
  const client = createRealtimeClient({
    url: gw.url,
    getToken: () => sign(user),
    socket: { transports: ['websocket'] },
  });
  open.push(client);
  client.connect();
  await untilState(client, 'synced');
  return client;
}

/** Resolves once the store's snapshot satisfies `pick`. */
function settled(feed: FeedStore, pick: (s: ReturnType<FeedStore['getSnapshot']>) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the feed never got there')), 10_000);
    const check = () => {
      if (!pick(feed.getSnapshot())) return;
      clearTimeout(timer);
      off();
      resolve();
    };
    const off = feed.subscribe(check);
    check();
  });
}

describe('actions', () => {
  it('answer with the acknowledgement, and keep the unread count by version', async () => {
    const user = uniqueUser('ann');
    const client = await connected(user);
    const arrived = until(client, 'notification', (d) => d.notification.title === 'n 3');
    const [n1, n2] = await publish(gw.url, user, 3);
    await arrived;

    const read = await client.markRead(n1!.id);
    expect(read).toMatchObject({ ok: true, notificationId: n1!.id, unreadCount: 2 });
    expect(client.unreadCount).toEqual({ unreadCount: 2, version: read.ok ? read.version : -1 });
    expect(await client.delete(n2!.id)).toMatchObject({ ok: true, notificationId: n2!.id, unreadCount: 1 });
    expect(await client.markAllRead()).toMatchObject({ ok: true, updated: 1, unreadCount: 0 });
    expect(client.unreadCount?.unreadCount).toBe(0);
  });

  it("answer a typed error for someone else's notification, and NOT_CONNECTED without a socket", async () => {
    const [theirs] = await publish(gw.url, uniqueUser('other'), 1);
    const client = await connected(uniqueUser('bea'));
    expect(await client.markRead(theirs!.id)).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'NOT_FOUND' }),
    });
    client.disconnect();
    expect(await client.delete(theirs!.id)).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'NOT_CONNECTED' }),
    });
  });
});

describe('http', () => {
  it('publishes exactly once under a repeated Idempotency-Key, and pages the feed with typed answers', async () => {
    const user = uniqueUser('cat');
    const service = createHttpClient({ url: gw.url, getToken: () => sign('backend', { role: 'service' }) });
    const request = {
      body: { userId: user, title: 'Once', message: 'only' },
      headers: { 'idempotency-key': `once-${user}` },
    };
    const first = await service.createNotification(request);
    const again = await service.createNotification(request);
    if (!first.ok || !again.ok) throw new Error(`publish failed: ${JSON.stringify([first, again])}`);
    expect(first.status).toBe(201);
    expect(again.body.notifications).toEqual(first.body.notifications);

    const client = await connected(user);
    const page = await client.http.listNotifications({ query: { limit: 10 } });
    expect(page.ok && page.body.items.map((n) => n.title)).toEqual(['Once']);
    expect(client.unreadCount).toEqual({ unreadCount: 1, version: page.ok ? page.body.version : -1 });

    const missing = await client.http.markNotificationRead({ params: { id: crypto.randomUUID() } });
    expect(missing).toMatchObject({ ok: false, status: 404, error: { statusCode: 404, code: 'NOT_FOUND' } });
    const forbidden = await client.http.createNotification({ body: { userId: user, title: 'x', message: 'y' } });
    expect(forbidden).toMatchObject({ ok: false, status: 403, error: { code: 'FORBIDDEN' } });
    expect(await client.http.deleteNotification({ params: { id: first.body.notifications[0]!.id } })).toEqual({
      ok: true,
      status: 204,
      body: undefined,
    });
  });
});

describe('feed store', () => {
  it('loads pages, inserts live notifications, and follows reads and deletes from another device', async () => {
    const user = uniqueUser('dee');
    await publish(gw.url, user, 5, 'old');
    const client = await connected(user);
    const otherDevice = await connected(user);
    const feed = createFeedStore(client, { pageSize: 3 });

    await feed.load();
    expect(feed.getSnapshot()).toMatchObject({ status: 'ready', hasMore: true, unreadCount: 5 });
    expect(feed.getSnapshot().items.map((n) => n.seq)).toEqual([5, 4, 3]);
    await feed.loadMore();
    expect(feed.getSnapshot().items.map((n) => n.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(feed.getSnapshot().hasMore).toBe(false);

    await publish(gw.url, user, 1, 'live');
    await settled(feed, (s) => s.items[0]?.seq === 6 && s.unreadCount === 6);
    const [six, five, four] = feed.getSnapshot().items;
    expect(six!.title).toBe('live 1');

    await otherDevice.markRead(five!.id);
    await otherDevice.delete(four!.id);
    await settled(feed, (s) => s.items.length === 5 && s.unreadCount === 4);
    expect(feed.getSnapshot().items.map((n) => [n.seq, n.read])).toEqual([
      [6, false],
      [5, true],
      [3, false],
      [2, false],
      [1, false],
    ]);

    await feed.setUnreadOnly(true);
    expect(feed.getSnapshot().items.map((n) => n.seq)).toEqual([6, 3, 2]);
    feed.destroy();
  });
});
