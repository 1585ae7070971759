import { type Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';

/** A process that stops renewing its heartbeat stops counting after this long (the contract says 30 s). */
export const PRESENCE_TTL_MS = 30_000;
/** How long a user's hash lives after its last change: a user nobody connects as again leaves no trace. */
const USER_KEY_TTL_MS = 24 * 60 * 60_000;

/**
 * Sums the counts of the hash's fields whose process is alive (its heartbeat key exists), and drops the
 * fields of processes that are not. KEYS: the users' hashes; ARGV[1]: the heartbeat key prefix.
 */
const COUNT_SCRIPT = `
local totals = {}
for k = 1, #KEYS do
  local fields = redis.call('HGETALL', KEYS[k])
  local total = 0
  for i = 1, #fields, 2 do
    local n = tonumber(fields[i + 1])
    if redis.call('EXISTS', ARGV[1] .. fields[i]) == 1 then
      if n > 0 then total = total + n end
    else
      redis.call('HDEL', KEYS[k], fields[i])
    end
  end
  totals[k] = total
end
return totals`;

/**
 * Presence across a cluster in Redis, crash-safe: each process counts its sockets per user under its
 * own generation id in `{prefix}:presence:user:{userId}` and renews `{prefix}:presence:node:{id}`
 * every third of the TTL. A process that dies stops renewing, so its counts stop counting within the
 * TTL; after losing Redis a process starts a new generation and writes its counts again (what it
 * changed while Redis was away was lost).
 */
export class RedisPresence {
  private generation = randomUUID();
  private readonly local = new Map<string, number>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = PRESENCE_TTL_MS,
  ) {
    redis.defineCommand('presenceCount', { lua: COUNT_SCRIPT });
    this.heartbeat = setInterval(() => this.beat(), Math.max(50, Math.floor(ttlMs / 3)));
    this.heartbeat.unref();
    this.beat();
  }

  joined(userId: string): void {
    this.local.set(userId, (this.local.get(userId) ?? 0) + 1);
    this.add(userId, 1);
  }

  left(userId: string): void {
    const n = (this.local.get(userId) ?? 1) - 1;
    if (n > 0) this.local.set(userId, n);
    else this.local.delete(userId);
    this.add(userId, -1);
  }

  /** Sockets per user, across every live process; rejects when Redis does not answer. */
  async counts(userIds: readonly string[]): Promise<Map<string, number>> {
    const users = [...new Set(userIds)];
    const run = (this.redis as unknown as Record<string, (...a: unknown[]) => Promise<number[]>>).presenceCount!;
    const totals = await run.call(this.redis, users.length, ...users.map((u) => this.userKey(u)), this.nodeKey(''));
    return new Map(users.map((u, i) => [u, totals[i] ?? 0]));
  }

  /** After Redis was lost: what this process changed meanwhile is gone, so it counts again, as a new generation. */
  recover(): void {
    const stale = this.nodeKey(this.generation);
    this.generation = randomUUID();
    this.redis.del(stale).catch(() => undefined);
    this.beat();
    for (const [userId, n] of this.local) this.add(userId, n);
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.redis.del(this.nodeKey(this.generation)).catch(() => undefined);
  }

  private beat(): void {
    this.redis.set(this.nodeKey(this.generation), '1', 'PX', this.ttlMs).catch(() => undefined);
  }

  private add(userId: string, by: number): void {
    const key = this.userKey(userId);
    this.redis
      .multi()
      .hincrby(key, this.generation, by)
      .pexpire(key, USER_KEY_TTL_MS)
      .exec()
      .catch(() => undefined);
  }

  private userKey(userId: string): string {
    return `${this.prefix}:presence:user:${userId}`;
  }

  private nodeKey(generation: string): string {
    return `${this.prefix}:presence:node:${generation}`;
  }
}
