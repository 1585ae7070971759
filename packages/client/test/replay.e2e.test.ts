import type { ServerPayload } from '@realtime/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createFeedStore,
  createRealtimeClient,
  memoryStorage,
  type RealtimeClient,
  type TokenReason,
} from '../src/index.js';
import { record, until, untilState } from './support/client-events.js';
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

/** A client of `userId` whose token requests can be held, to keep a reconnect waiting while the test acts. */
function clientOf(userId: string, options: { storage?: ReturnType<typeof memoryStorage> } = {}) {
  let hold: Promise<void> | null = null;
  const reasons: TokenReason[] = [];
  const client = createRealtimeClient({
    url: gw.url,
    getToken: async ({ reason }) => {
      reasons.push(reason);
      await hold;
      return sign(userId);
    },
    socket: { transports: ['websocket'], reconnectionDelay: 50, reconnectionDelayMax: 200 },
    ...options,
  });
  open.push(client);
  const holdTokens = () => {
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    return () => {
      hold = null;
      release();
    };
  };
  return { client, reasons, holdTokens };
}

const ids = (list: { notification: { id: string } }[]) => list.map((d) => d.notification.id);

describe('replay', () => {
  it('after a transport kill, replays exactly the missed notifications, each once, in order', async () => {
    const user = uniqueUser('ada');
    const { client, holdTokens } = clientOf(user);
    const delivered = record(client, 'notification');
    client.connect();
    await untilState(client, 'synced');
    const arrived = until(client, 'notification', (d) => d.notification.title === 'before 3');
    const before = await publish(gw.url, user, 3, 'before');
    await arrived;
    const firstSocket = client.socket.id;

    // The reconnect's handshake waits for its token until the missed notifications exist.
    const release = holdTokens();
    client.socket.io.engine.close();
    await untilState(client, 'connecting');
    const missed = await publish(gw.url, user, 5, 'missed');
    release();
    await untilState(client, 'synced');

    expect(client.socket.id).not.toBe(firstSocket);
    expect(ids(delivered)).toEqual([...before, ...missed].map((n) => n.id));
    expect(delivered.map((d) => d.replayed)).toEqual([false, false, false, true, true, true, true, true]);
    expect(client.lastSeq).toBe(8);

    // A marker after the replay: it comes live, and nothing before it came twice.
    const markerArrived = until(client, 'notification', (d) => d.notification.title === 'marker 1');
    const [marker] = await publish(gw.url, user, 1, 'marker');
    await markerArrived;
    expect(ids(delivered)).toEqual([...before, ...missed, marker!].map((n) => n.id));
    expect(delivered.at(-1)!.replayed).toBe(false);
  });

  it('resumes from the position stored by an earlier session (a reload)', async () => {
    const user = uniqueUser('lin');
    const storage = memoryStorage();
    const first = clientOf(user, { storage }).client;
    first.connect();
    await untilState(first, 'synced');
    const arrived = until(first, 'notification', (d) => d.notification.title === 'seen 2');
    await publish(gw.url, user, 2, 'seen');
    await arrived;
    await first.close();
    expect(storage.get(`realtime:last-seq:${user}`)).toBe('2');

    const missed = await publish(gw.url, user, 2, 'missed');
    const second = clientOf(user, { storage }).client;
    const delivered = record(second, 'notification');
    second.connect();
    await untilState(second, 'synced');
    expect(ids(delivered)).toEqual(missed.map((n) => n.id));
    expect(delivered.every((d) => d.replayed)).toBe(true);
  });

  it('after more than 100 missed, refetches: every missed notification once, in order, and a reloaded feed', async () => {
    const user = uniqueUser('bo');
    const { client } = clientOf(user);
    client.connect();
    await untilState(client, 'synced');
    const arrived = until(client, 'notification', (d) => d.notification.title === 'before 2');
    const before = await publish(gw.url, user, 2, 'before');
    await arrived;
    const feed = createFeedStore(client);
    await feed.load();
    expect(feed.getSnapshot().items.map((n) => n.id)).toEqual([before[1]!.id, before[0]!.id]);
    const statuses = [] as string[];
    feed.subscribe(() => statuses.push(feed.getSnapshot().status));

    client.disconnect();
    const missed = await publish(gw.url, user, 130, 'away');
    const delivered = record(client, 'notification');
    const resync = until(client, 'resync');
    client.connect();
    expect(await resync).toEqual({ fromSeq: 3, toSeq: 132 });
    await untilState(client, 'synced');

    expect(ids(delivered)).toEqual(missed.map((n) => n.id));
    expect(delivered.every((d) => d.replayed)).toBe(true);
    expect(client.lastSeq).toBe(132);
    expect(client.unreadCount?.unreadCount).toBe(132);
    // The feed started over from the newest page; paging down, it holds everything once, newest first.
    expect(statuses).toContain('loading');
    await new Promise<void>((resolve) => {
      const done = () => feed.getSnapshot().status === 'ready' && resolve();
      feed.subscribe(done);
      done();
    });
    expect(feed.getSnapshot().items[0]!.seq).toBe(132);
    while (feed.getSnapshot().hasMore) await feed.loadMore();
    expect(feed.getSnapshot().items.map((n) => n.seq)).toEqual(Array.from({ length: 132 }, (_, i) => 132 - i));
    feed.destroy();
  });

  it('fills a hole in live seq from the HTTP feed', async () => {
    const user = uniqueUser('cy');
    const { client } = clientOf(user);
    const delivered = record(client, 'notification');
    client.connect();
    await untilState(client, 'synced');

    // How the hole is made: the socket swallows one live `notification:new` before the SDK sees it, as a
    // network path that loses one event would. The server stored it (it has its seq), so the next live
    // notification shows a seq one too far, and only the HTTP feed can bring the lost one back.
    const socket = client.socket as unknown as { onevent(packet: { data: unknown[] }): void };
    const onevent = socket.onevent.bind(socket);
    const lost: string[] = [];
    socket.onevent = (packet) => {
      const [event, payload] = packet.data as [string, ServerPayload<'notification:new'>];
      if (event === 'notification:new' && payload.notification.title === 'live 2') {
        lost.push(payload.notification.id);
        return;
      }
      onevent(packet);
    };
    const states = record(client, 'state');
    const filled = until(client, 'notification', (d) => d.notification.title === 'live 2');
    const sent = await publish(gw.url, user, 3, 'live');
    await filled;
    await untilState(client, 'synced');

    expect(lost).toEqual([sent[1]!.id]);
    expect(delivered.map((d) => [d.notification.seq, d.replayed])).toEqual([
      [1, false],
      [3, false],
      [2, true],
    ]);
    // It knew it was behind (connected) until the hole was filled (synced).
    expect(states.map((s) => s.to)).toEqual(['connected', 'synced']);
    expect(client.lastSeq).toBe(3);
  });
});
