import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterRedis } from '../../test/services.js';
import { RedisPresence } from './redis-presence.js';

describe.runIf(clusterRedis)('RedisPresence against a real Redis', () => {
  const clients: Redis[] = [];
  const open = (prefix: string, ttlMs: number) => {
    const redis = new Redis(clusterRedis!.url);
    clients.push(redis);
    return new RedisPresence(redis, prefix, ttlMs);
  };
  afterAll(() => clients.forEach((c) => c.disconnect()));
  const until = async (check: () => Promise<boolean>, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('counts the sockets of every live process, and stops counting a process that died within the TTL', async () => {
    const prefix = `${clusterRedis!.prefix}-presence-a`;
    const alive = open(prefix, 600);
    const doomed = open(prefix, 600);
    alive.joined('ada');
    alive.joined('ada');
    doomed.joined('ada');
    doomed.joined('bob');
    await until(async () => (await alive.counts(['ada', 'bob'])).get('ada') === 3);
    expect(Object.fromEntries(await doomed.counts(['ada', 'bob', 'cy']))).toEqual({ ada: 3, bob: 1, cy: 0 });
    alive.left('ada');
    await until(async () => (await alive.counts(['ada'])).get('ada') === 2);
    // The process dies without a word: it stops renewing its heartbeat, nothing else.
    (doomed as unknown as { heartbeat: NodeJS.Timeout }).heartbeat.close();
    await until(async () => (await alive.counts(['ada', 'bob'])).get('bob') === 0, 3000);
    expect((await alive.counts(['ada'])).get('ada')).toBe(1);
    await alive.stop();
  });

  it('after losing Redis, counts again under a new generation what it holds now', async () => {
    const prefix = `${clusterRedis!.prefix}-presence-b`;
    const p = open(prefix, 10_000);
    p.joined('ada');
    p.joined('ada');
    await until(async () => (await p.counts(['ada'])).get('ada') === 2);
    // Changes made while Redis was away are lost: the stored count is now wrong.
    const redis = clients.at(-1)!;
    await redis.hincrby(`${prefix}:presence:user:ada`, (p as unknown as { generation: string }).generation, 5);
    p.recover();
    await until(async () => (await p.counts(['ada'])).get('ada') === 2);
    await p.stop();
    expect((await open(prefix, 10_000).counts(['ada'])).get('ada')).toBe(0);
  });
});
