import { availableParallelism } from 'node:os';
import { z } from 'zod';

const DEV_JWT_SECRET = 'dev-only-secret-change-me-0123456789abcdef';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

// An empty variable counts as unset (PORT= would otherwise coerce to 0, a random port).
const unsetWhenEmpty = (v: unknown) => (v === '' ? undefined : v);
const port = z.preprocess(unsetWhenEmpty, z.coerce.number().int().min(0).max(65535).optional());
/** A count or rate: 0 turns the limit off where the variable says so. */
const count = (fallback: number) => z.preprocess(unsetWhenEmpty, z.coerce.number().int().min(0).default(fallback));
const url = (schemes: RegExp, what: string) =>
  optionalString.refine((u) => u === undefined || schemes.test(u), `must be a ${what} URL`);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: port,
  WS_PORT: port,
  WS_PATH: z
    .string()
    .default('/socket.io/')
    .refine((p) => p.startsWith('/'), 'must start with /'),
  JWT_SECRET: optionalString,
  JWT_MAX_LIFETIME_SECONDS: z.coerce.number().int().positive().default(86_400),
  JWT_JWKS_URL: url(/^https?:\/\//, 'http(s)'),
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  CORS_ORIGIN: optionalString,
  DATABASE_URL: url(/^postgres(ql)?:\/\//, 'postgres://'),
  DATABASE_TIMEOUT_MS: count(5000),
  REDIS_URL: url(/^rediss?:\/\//, 'redis://'),
  REDIS_PREFIX: z.string().min(1).default('realtime'),
  REDIS_ADAPTER: z.preprocess(unsetWhenEmpty, z.enum(['classic', 'sharded']).default('classic')),
  METRICS_TOKEN: optionalString,
  DATA_DIR: z.string().default('data'),
  FALLBACK_WEBHOOK_URL: url(/^https?:\/\//, 'http(s)'),
  FALLBACK_WEBHOOK_SECRET: optionalString,
  VAPID_PUBLIC_KEY: optionalString,
  VAPID_PRIVATE_KEY: optionalString,
  VAPID_SUBJECT: optionalString.refine(
    (s) => s === undefined || /^(mailto:|https:\/\/)/.test(s),
    'must be a mailto: or https: URL',
  ),
  PUSH_ENDPOINT_ORIGINS: optionalString,
  PUSH_DELAY_SECONDS: count(0),
  PUSH_TYPE_OPTIONS: optionalString,
  SMTP_URL: url(/^smtps?:\/\//, 'smtp:// or smtps://'),
  EMAIL_FROM: optionalString,
  APP_URL: url(/^https?:\/\//, 'http(s)'),
  PUBLIC_URL: url(/^https?:\/\//, 'http(s)'),
  EMAIL_DELAY_SECONDS: count(300),
  EMAIL_DIGEST_WINDOW_SECONDS: count(600),
  EMAIL_DIGEST_MAX_ITEMS: z.preprocess(unsetWhenEmpty, z.coerce.number().int().min(2).max(1000).default(100)),
  EMAIL_TYPE_OPTIONS: optionalString,
  OFFLINE_MAX_AGE_SECONDS: z.preprocess(unsetWhenEmpty, z.coerce.number().int().positive().default(86_400)),
  OFFLINE_RETRY_BASE_SECONDS: z.preprocess(unsetWhenEmpty, z.coerce.number().positive().default(5)),
  WEB_DIST_DIR: optionalString,
  DEV_TOKENS: z.enum(['true', 'false', '1', '0']).optional(),
  DEV_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  SOCKET_EVENTS_PER_SECOND: count(20),
  SOCKET_EVENTS_BURST: count(50),
  SOCKET_MAX_IN_FLIGHT: count(8),
  MAX_SOCKETS_PER_USER: count(20),
  MAX_CONNECTIONS: count(0),
  MAX_CONNECTIONS_PER_IP: count(0),
  HTTP_USER_REQUESTS_PER_SECOND: count(20),
  HTTP_SERVICE_REQUESTS_PER_SECOND: count(0),
  MAX_FANOUT_BYTES: count(16 * 1024 * 1024),
  GROUP_PUBLISH_CHUNK_SIZE: z.preprocess(unsetWhenEmpty, z.coerce.number().int().min(1).max(100_000).default(5000)),
  BROADCAST_CPU_SHARE: z.preprocess(unsetWhenEmpty, z.coerce.number().gt(0).max(1).default(0.25)),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  WORKERS: z
    .preprocess(
      (v) => (v === '' ? undefined : v),
      z.union([z.literal('auto'), z.coerce.number().int().min(1).max(256)]).optional(),
    )
    .transform((w) => (w === 'auto' ? availableParallelism() : (w ?? 1))),
});

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  wsPath: string;
  jwtSecret: string;
  /** The furthest ahead a token's `exp` may be. */
  jwtMaxLifetimeSeconds: number;
  /** True when the development secret stands in for JWT_SECRET. */
  usingDevSecret: boolean;
  /** Tokens signed RS256/ES256 by a key of this JWKS are accepted too. */
  jwtJwksUrl: string | undefined;
  /** When set, every token's `iss` must be this. */
  jwtIssuer: string | undefined;
  /** When set, every token's `aud` must include this. */
  jwtAudience: string | undefined;
  /** Allowed cross-site origins (HTTP and socket handshake); empty: same origin only; null: any origin. */
  corsOrigins: string[] | null;
  databaseUrl: string | undefined;
  /** Longest a statement, connection attempt or pool wait (embedded: a turn, each statement) may take before UNAVAILABLE. */
  databaseTimeoutMs: number;
  redisUrl: string | undefined;
  /** Prefix of the cluster's Redis channels. */
  redisPrefix: string;
  /**
   * How the processes reach each other over Redis: `classic` pub/sub, where every process receives every
   * message, or `sharded` pub/sub (Redis 7), where a message to one room reaches only the processes that
   * hold it. Every process of a cluster must use the same one.
   */
  redisAdapter: 'classic' | 'sharded';
  metricsToken: string | undefined;
  /** Where the embedded store keeps its files (`memory://` for none). */
  dataDir: string;
  /** Where notifications for offline users are POSTed, when set. */
  fallbackWebhookUrl: string | undefined;
  /** Signs each webhook POST (`X-Realtime-Signature`), when set. */
  fallbackWebhookSecret: string | undefined;
  /** Web Push: the VAPID key pair and subject, when the operator set them (see OfflineModule for the default). */
  vapid: { publicKey: string; privateKey: string; subject: string } | undefined;
  /** The subject for a key pair the server makes itself (development). */
  vapidSubject: string | undefined;
  /** Origins push subscriptions may point at; null: the major browsers' push services. */
  pushEndpointOrigins: string[] | null;
  /** Seconds a push waits after its notification, by default. */
  pushDelaySeconds: number;
  /** Per notification type: the push's urgency and how long the push service keeps it (TTL). */
  pushTypeOptions: Record<string, PushTypeOptions>;
  /** Email: the SMTP server (unset: the development mailbox in the store), the sender, the app emails link to. */
  email: EmailConfig;
  /** An offline delivery not sent this long after it was due is given up (`expired`, or `failed` after retries). */
  offlineMaxAgeSeconds: number;
  /** The first retry of a failed offline delivery comes about this long after it (doubling, with jitter). */
  offlineRetryBaseSeconds: number;
  /** A built web app to serve at `/`, when set. */
  webDistDir: string | undefined;
  /** Whether `POST /api/dev/token` is mounted: only with DEV_TOKENS=true, and never in production. */
  devTokens: boolean;
  devTokenTtlSeconds: number;
  /** Server processes behind the one port (1: this process serves alone). */
  workers: number;
  limits: Limits;
  log: { format: 'json' | 'pretty'; level: 'error' | 'warn' | 'info' | 'debug' };
}

/** Budgets and caps that keep one client from slowing the others; 0 turns an optional one off. */
export interface Limits {
  /** Client events a socket may send per second, on average. */
  socketEventsPerSecond: number;
  /** ...and at once. */
  socketEventsBurst: number;
  /** Client events of one socket being handled at once. */
  socketMaxInFlight: number;
  /** Sockets one user may hold on one process. */
  maxSocketsPerUser: number;
  /** TCP connections the process accepts (0: derived from the open-file limit). */
  maxConnections: number;
  /** Sockets from one IP address (0: no cap; behind a load balancer every client shares one). */
  maxConnectionsPerIp: number;
  /** HTTP requests per second per user token (0: no limit). */
  httpUserRequestsPerSecond: number;
  /** HTTP requests per second per service or admin token (0: no limit). */
  httpServiceRequestsPerSecond: number;
  /** Payload bytes times recipients one publish may send. */
  maxFanoutBytes: number;
  /** Share of one core the server's own broadcasts (leaderboards) may take, in (0, 1]. */
  broadcastCpuShare: number;
  /** Members per transaction of a group notification; a larger group is stored in several, one after another. */
  groupPublishChunkSize: number;
}

/** A configuration the server cannot start with; its message is one line for the operator. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment once; nothing else in the server reads `process.env`. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`invalid configuration: ${issue.path.join('.')} ${issue.message}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    throw new ConfigError('JWT_SECRET is required when NODE_ENV=production');
  }
  if (e.NODE_ENV === 'production' && Buffer.byteLength(e.JWT_SECRET!) < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 bytes when NODE_ENV=production');
  }
  if (e.WORKERS > 1 && !e.DATABASE_URL) {
    throw new ConfigError(
      `WORKERS=${e.WORKERS} needs DATABASE_URL: the embedded store belongs to one process and cannot be shared`,
    );
  }
  if (Boolean(e.VAPID_PUBLIC_KEY) !== Boolean(e.VAPID_PRIVATE_KEY)) {
    throw new ConfigError('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together: set both or neither');
  }
  if (e.VAPID_PUBLIC_KEY && !e.VAPID_SUBJECT) {
    throw new ConfigError('VAPID_SUBJECT (mailto: or https:) is required with VAPID keys');
  }
  const origins = e.CORS_ORIGIN?.split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter(Boolean);
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT ?? e.WS_PORT ?? 3000,
    wsPath: e.WS_PATH.endsWith('/') ? e.WS_PATH : `${e.WS_PATH}/`,
    jwtSecret: e.JWT_SECRET ?? DEV_JWT_SECRET,
    jwtMaxLifetimeSeconds: e.JWT_MAX_LIFETIME_SECONDS,
    usingDevSecret: !e.JWT_SECRET,
    jwtJwksUrl: e.JWT_JWKS_URL,
    jwtIssuer: e.JWT_ISSUER,
    jwtAudience: e.JWT_AUDIENCE,
    corsOrigins: origins?.includes('*') ? null : (origins ?? []),
    databaseUrl: e.DATABASE_URL,
    databaseTimeoutMs: e.DATABASE_TIMEOUT_MS,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    redisAdapter: e.REDIS_ADAPTER,
    metricsToken: e.METRICS_TOKEN,
    dataDir: e.DATA_DIR,
    fallbackWebhookUrl: e.FALLBACK_WEBHOOK_URL,
    fallbackWebhookSecret: e.FALLBACK_WEBHOOK_SECRET,
    vapid:
      e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY && e.VAPID_SUBJECT
        ? { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY, subject: e.VAPID_SUBJECT }
        : undefined,
    vapidSubject: e.VAPID_SUBJECT,
    pushEndpointOrigins: e.PUSH_ENDPOINT_ORIGINS
      ? e.PUSH_ENDPOINT_ORIGINS.split(',')
          .map((o) => o.trim().replace(/\/$/, ''))
          .filter(Boolean)
      : null,
    pushDelaySeconds: e.PUSH_DELAY_SECONDS,
    pushTypeOptions: pushTypeOptions(e.PUSH_TYPE_OPTIONS),
    email: emailConfig(e),
    offlineMaxAgeSeconds: e.OFFLINE_MAX_AGE_SECONDS,
    offlineRetryBaseSeconds: e.OFFLINE_RETRY_BASE_SECONDS,
    webDistDir: e.WEB_DIST_DIR,
    devTokens: e.NODE_ENV !== 'production' && (e.DEV_TOKENS === 'true' || e.DEV_TOKENS === '1'),
    devTokenTtlSeconds: e.DEV_TOKEN_TTL_SECONDS,
    workers: e.WORKERS,
    limits: {
      socketEventsPerSecond: e.SOCKET_EVENTS_PER_SECOND,
      socketEventsBurst: e.SOCKET_EVENTS_BURST,
      socketMaxInFlight: e.SOCKET_MAX_IN_FLIGHT,
      maxSocketsPerUser: e.MAX_SOCKETS_PER_USER,
      maxConnections: e.MAX_CONNECTIONS,
      maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
      httpUserRequestsPerSecond: e.HTTP_USER_REQUESTS_PER_SECOND,
      httpServiceRequestsPerSecond: e.HTTP_SERVICE_REQUESTS_PER_SECOND,
      maxFanoutBytes: e.MAX_FANOUT_BYTES,
      broadcastCpuShare: e.BROADCAST_CPU_SHARE,
      groupPublishChunkSize: e.GROUP_PUBLISH_CHUNK_SIZE,
    },
    log: { format: e.LOG_FORMAT ?? (e.NODE_ENV === 'production' ? 'json' : 'pretty'), level: e.LOG_LEVEL },
  };
}

/** How pushes of one notification type are sent (RFC 8030 `Urgency` and `TTL`). */
export interface PushTypeOptions {
  urgency?: 'very-low' | 'low' | 'normal' | 'high';
  ttlSeconds?: number;
}

const pushTypeOptionsSchema = z.record(
  z.string().min(1).max(64),
  z.strictObject({
    urgency: z.enum(['very-low', 'low', 'normal', 'high']).optional(),
    ttlSeconds: z
      .number()
      .int()
      .min(0)
      .max(28 * 86_400)
      .optional(),
  }),
);

/** `PUSH_TYPE_OPTIONS`: JSON `{ "<type>": { "urgency": "high", "ttlSeconds": 3600 } }`. */
const pushTypeOptions = (raw: string | undefined): Record<string, PushTypeOptions> =>
  jsonOption('PUSH_TYPE_OPTIONS', raw, pushTypeOptionsSchema);

/** A variable holding JSON, checked by `schema`; unset: `{}`. */
function jsonOption<T>(name: string, raw: string | undefined, schema: z.ZodType<Record<string, T>>): Record<string, T> {
  if (!raw) return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(`invalid configuration: ${name} must be JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`invalid configuration: ${name}.${issue.path.join('.')} ${issue.message}`);
  }
  return parsed.data;
}

/** How email is sent, and how it waits and batches. */
export interface EmailConfig {
  /** `smtp://` or `smtps://` (user and password in the URL); undefined: kept in the development mailbox. */
  smtpUrl: string | undefined;
  /** The From header, e.g. `Realtime <notifications@example.com>`. */
  from: string;
  /** The app emails link to (a notification's own `data.url` wins). */
  appUrl: string;
  /** The gateway's own public URL, for the unsubscribe links. */
  publicUrl: string;
  /** Seconds an email waits after its notification (skipped if read by then). */
  delaySeconds: number;
  /** Due emails of one user within this many seconds go as one digest; 0: every email alone. */
  digestWindowSeconds: number;
  /** A digest closes at once when it holds this many. */
  digestMaxItems: number;
  /** Per notification type: its own delay, or no digest. */
  types: Record<string, EmailTypeOptions>;
}

export interface EmailTypeOptions {
  delaySeconds?: number;
  /** false: sent alone, never in a digest. */
  digest?: boolean;
}

function emailConfig(e: z.infer<typeof envSchema>): EmailConfig {
  const local = `http://localhost:${e.PORT ?? e.WS_PORT ?? 3000}`;
  const appUrl = (e.APP_URL ?? local).replace(/\/+$/, '');
  const publicUrl = (e.PUBLIC_URL ?? appUrl).replace(/\/+$/, '');
  for (const [name, value] of [
    ['APP_URL', appUrl],
    ['PUBLIC_URL', publicUrl],
  ] as const) {
    if (!URL.canParse(value)) throw new ConfigError(`invalid configuration: ${name} must be a URL`);
  }
  // Mail clients POST one-click unsubscribes to https: links only (RFC 8058).
  if (e.NODE_ENV === 'production' && e.SMTP_URL && !publicUrl.startsWith('https://')) {
    throw new ConfigError(
      'PUBLIC_URL (or APP_URL) must be an https: URL of the gateway when SMTP_URL is set in production',
    );
  }
  if (e.EMAIL_DIGEST_WINDOW_SECONDS >= e.OFFLINE_MAX_AGE_SECONDS) {
    throw new ConfigError('EMAIL_DIGEST_WINDOW_SECONDS must be shorter than OFFLINE_MAX_AGE_SECONDS');
  }
  return {
    smtpUrl: e.SMTP_URL,
    from: e.EMAIL_FROM ?? `Realtime <notifications@${new URL(appUrl).hostname}>`,
    appUrl,
    publicUrl,
    delaySeconds: e.EMAIL_DELAY_SECONDS,
    digestWindowSeconds: e.EMAIL_DIGEST_WINDOW_SECONDS,
    digestMaxItems: e.EMAIL_DIGEST_MAX_ITEMS,
    types: jsonOption('EMAIL_TYPE_OPTIONS', e.EMAIL_TYPE_OPTIONS, emailTypeOptionsSchema),
  };
}

const emailTypeOptionsSchema = z.record(
  z.string().min(1).max(64),
  z.strictObject({
    delaySeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .optional(),
    digest: z.boolean().optional(),
  }),
);

/** The injection token of the validated {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');
