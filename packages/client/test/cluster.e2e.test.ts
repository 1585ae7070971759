import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealtimeClient, type RealtimeClient, type UnreadCount } from '../src/index.js';
import { record, until, untilState } from './support/client-events.js';
import { type Gateway, publish, sign, startGateway, uniqueUser } from './support/gateway.js';
// The server's own test services: a fresh database and this run's Redis prefix, required in CI.
import { clusterEnv, clusterRedis, dropTestDatabases } from '../../../apps/server/test/services.js';

/** Resolves once the client holds a count of at least `version`. */
async function countAt(client: RealtimeClient, version: number): Promise<UnreadCount> {
  if ((client.unreadCount?.version ?? -1) < version)
    await until(client, 'unreadCount', (c) => c.version >= version, 15_000);
  return client.unreadCount!;
}

// Two server processes on one PostgreSQL database and one Redis, a device of the same user on each.
describe.runIf(clusterRedis)('two devices on a cluster of two processes', () => {
  let a: Gateway;
  let b: Gateway;
  const clients: RealtimeClient[] = [];

  beforeAll(async () => {
    const env = await clusterEnv();
    [a, b] = await Promise.all([startGateway(env), startGateway(env)]);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([a?.stop(), b?.stop()]);
    await dropTestDatabases();
  });

  function device(gw: Gateway, user: string): RealtimeClient {
    const client = createRealtimeClient({
      url: gw.url,
      getToken: () => sign(user),
      socket: { transports: ['websocket'] },
    });
    clients.push(client);
    return client;
  }

  /** The count as the store has it, read over HTTP from the other process than the last write. */
  async function serverCount(gw: Gateway, user: string): Promise<UnreadCount> {
    const res = await fetch(`${gw.url}/api/notifications?limit=1`, {
      headers: { authorization: `Bearer ${await sign(user)}` },
    });
    const { unreadCount, version } = (await res.json()) as UnreadCount;
    return { unreadCount, version };
  }

  it('converge on the same unread count under concurrent mark-read on both processes', async () => {
    const user = uniqueUser('ray');
    const [phone, laptop] = [device(a, user), device(b, user)];
    const seen = [record(phone, 'unreadCount'), record(laptop, 'unreadCount')];
    phone.connect();
    laptop.connect();
    await Promise.all([untilState(phone, 'synced'), untilState(laptop, 'synced')]);

    const allArrived = Promise.all(
      [phone, laptop].map((c) => until(c, 'notification', (d) => d.notification.title === 'n 30', 15_000)),
    );
    const created = await publish(a.url, user, 30);
    await allArrived;
    const ids = created.map((n) => n.id);

    // Overlapping marks from both devices at once, on both processes, then a read-all racing single marks.
    const round1 = await Promise.all([
      ...ids.slice(0, 18).map((id) => phone.markRead(id)),
      ...ids.slice(10, 26).map((id) => laptop.markRead(id)),
    ]);
    expect(round1.every((r) => r.ok)).toBe(true);
    const afterRound1 = await serverCount(b, user);
    expect(afterRound1.unreadCount).toBe(4);
    expect(await Promise.all([countAt(phone, afterRound1.version), countAt(laptop, afterRound1.version)])).toEqual([
      afterRound1,
      afterRound1,
    ]);

    const more = await publish(b.url, user, 6, 'more');
    const round2 = await Promise.all([
      phone.markAllRead(),
      laptop.markRead(more[0]!.id),
      laptop.delete(more[1]!.id),
      phone.markRead(ids[29]!),
    ]);
    expect(round2.every((r) => r.ok)).toBe(true);
    const final = await serverCount(a, user);
    // The read-all marked everything the store had; the delete removed one of those.
    expect(final.unreadCount).toBe(0);
    const [p, l] = await Promise.all([countAt(phone, final.version), countAt(laptop, final.version)]);
    expect(p).toEqual(final);
    expect(l).toEqual(final);
    // Acks and broadcasts from both processes interleave; each device only ever moved forward.
    for (const counts of seen) {
      const versions = counts.map((c) => c.version);
      expect(versions).toEqual([...versions].sort((x, y) => x - y));
      expect(new Set(versions).size).toBe(versions.length);
    }
  });
});
