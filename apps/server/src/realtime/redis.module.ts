import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type Redis } from 'ioredis';
import { type Server } from 'socket.io';
import { APP_CONFIG, type AppConfig, ConfigError } from '../config/config.js';
import { HealthService } from '../health/health.service.js';

/** The pub/sub pair and the Socket.IO Redis adapter on it; absent when REDIS_URL is not set. */
export interface RedisPair {
  pub: Redis;
  sub: Redis;
  /** Prefix of every channel and key, so several deployments (or test runs) can share one Redis. */
  key: string;
  /** REDIS_ADAPTER: with `sharded`, messages to one room reach only the processes that hold it. */
  kind: AppConfig['redisAdapter'];
  adapter: Parameters<Server['adapter']>[0];
  /** Calls `listener` each time either connection is back after it was lost. */
  onRecovered(listener: () => void): void;
}

export const REDIS = Symbol('REDIS');

/**
 * One connection. The publishing one never queues commands while Redis is away (ioredis would
 * queue publishes without bound): they fail at once, the emit reaches this process's sockets only,
 * and every process catches its sockets up from the store once Redis is back (ClusterCatchUp). The
 * subscribing one keeps its few (re)subscriptions queued.
 */
function connect(RedisClient: typeof Redis, url: string, role: 'pub' | 'sub', recovered: () => void): Redis {
  const logger = new Logger(`Redis:${role}`);
  let lastError = '';
  let lost = false;
  let failedPublishes = 0;
  const client = new RedisClient(url, {
    lazyConnect: false,
    enableOfflineQueue: role === 'sub',
    maxRetriesPerRequest: role === 'sub' ? null : 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  // Without a listener an 'error' event would crash the process; ioredis keeps reconnecting on its own.
  client.on('error', (err: Error) => {
    if (err.message !== lastError) logger.warn(`${err.message} (reconnecting)`);
    lastError = err.message;
  });
  client.on('close', () => {
    if (lost) return;
    lost = true;
    logger.warn('connection lost: emits reach this process only until Redis is back');
  });
  client.on('ready', () => {
    if (!lost) return;
    logger.log(`reconnected${failedPublishes ? ` (${failedPublishes} publishes failed meanwhile)` : ''}`);
    lost = false;
    lastError = '';
    failedPublishes = 0;
    recovered();
  });
  // The adapter publishes without awaiting; a rejected publish must not become an unhandled
  // rejection (which would end the process), nor a log line per emit while Redis is away. The
  // sharded adapter publishes with SPUBLISH.
  for (const command of ['publish', 'spublish'] as const) {
    const send = client[command].bind(client) as (...args: unknown[]) => Promise<number>;
    client[command] = ((...args: unknown[]) => {
      const sent = send(...args);
      sent.catch(() => failedPublishes++);
      return sent;
    }) as Redis['publish'];
  }
  return client;
}

/** Sharded pub/sub came with Redis 7.0. */
const SHARDED_SINCE_MAJOR = 7;
/** How long the start waits for Redis to tell its version; a Redis still away is checked once it connects. */
const VERSION_WAIT_MS = 3000;

function whenReady(client: Redis, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const ready = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      client.off('ready', ready);
      resolve(false);
    }, ms);
    client.once('ready', ready);
  });
}

/**
 * What stops this process from working with the cluster on this Redis, or null: with
 * REDIS_ADAPTER=sharded, a Redis older than 7.0. Falling back to classic pub/sub instead would split
 * the cluster silently (classic and sharded processes do not hear each other), so it is refused.
 */
async function problemWith(pub: Redis, kind: AppConfig['redisAdapter']): Promise<string | null> {
  if (kind !== 'sharded') return null;
  const version = /redis_version:(\S+)/.exec(await pub.info('server'))?.[1] ?? 'unknown';
  if (Number.parseInt(version, 10) >= SHARDED_SINCE_MAJOR) return null;
  return `REDIS_ADAPTER=sharded needs Redis 7.0 or later (sharded pub/sub); this Redis is ${version}: upgrade it or set REDIS_ADAPTER=classic`;
}

/**
 * Warns when processes on the other adapter already use this prefix: they would not hear this one.
 * Reads the library's channel names (a diagnostic only: if they change, the warning goes quiet).
 */
async function warnOfOtherKind(pub: Redis, key: string, kind: AppConfig['redisAdapter'], logger: Logger) {
  const [other, subscribers] =
    kind === 'sharded'
      ? ['classic', (await pub.call('PUBSUB', 'NUMSUB', `${key}#socket.io-request#/#`)) as [string, number]]
      : ['sharded', (await pub.call('PUBSUB', 'SHARDNUMSUB', `${key}#socket.io#/#`)) as [string, number]];
  if (Number(subscribers[1]) > 0) {
    logger.warn(
      `${subscribers[1]} process(es) on prefix ${key} use REDIS_ADAPTER=${other}: they and this one (${kind}) do not hear each other; give every process the same REDIS_ADAPTER`,
    );
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG, HealthService],
      useFactory: async (config: AppConfig, health: HealthService): Promise<RedisPair | null> => {
        if (!config.redisUrl) return null;
        // Loaded only with REDIS_URL: a process alone never pays for them.
        const [{ Redis }, adapters] = await Promise.all([import('ioredis'), import('@socket.io/redis-adapter')]);
        const listeners: (() => void)[] = [];
        const recovered = () => listeners.forEach((l) => l());
        const pub = connect(Redis, config.redisUrl, 'pub', recovered);
        const sub = connect(Redis, config.redisUrl, 'sub', recovered);
        const logger = new Logger('Cluster');
        const key = config.redisPrefix;
        const kind = config.redisAdapter;
        let problem: string | null = null;
        // At start, and after each reconnect (it may be another Redis by then).
        const check = () =>
          problemWith(pub, kind).then(
            (found) => {
              if (found && found !== problem) logger.error(found);
              problem = found;
            },
            () => undefined,
          );
        if (kind === 'sharded') {
          if (await whenReady(pub, VERSION_WAIT_MS)) await check();
          else logger.warn(`Redis did not answer within ${VERSION_WAIT_MS} ms; its version is checked once it does`);
          if (problem) {
            pub.disconnect();
            sub.disconnect();
            throw new ConfigError(problem);
          }
          pub.on('ready', () => void check());
        }
        const compare = () => void warnOfOtherKind(pub, key, kind, logger).catch(() => undefined);
        if (pub.status === 'ready') compare();
        else pub.once('ready', compare);
        health.register('redis', async () => {
          await pub.ping();
          if (problem) throw new Error(problem);
        });
        logger.log(`joining the cluster over Redis (${kind} pub/sub, channel prefix ${key})`);
        const { createAdapter, createShardedAdapter } = adapters;
        return {
          pub,
          sub,
          key,
          kind,
          adapter:
            kind === 'sharded'
              ? createShardedAdapter(pub, sub, { channelPrefix: `${key}#socket.io`, subscriptionMode: 'dynamic' })
              : createAdapter(pub, sub, { key: `${key}#socket.io` }),
          onRecovered: (listener) => listeners.push(listener),
        };
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisPair | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    // quit() flushes pending commands, but would wait forever on a Redis that never answered.
    await Promise.allSettled(
      [this.redis.pub, this.redis.sub].map((c) => (c.status === 'ready' ? c.quit() : Promise.resolve(c.disconnect()))),
    );
  }
}
