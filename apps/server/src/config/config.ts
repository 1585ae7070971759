import { availableParallelism } from 'node:os';
import { z } from 'zod';

const DEV_JWT_SECRET = 'dev-only-secret-change-me-0123456789abcdef';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

// An empty variable counts as unset (PORT= would otherwise coerce to 0, a random port).
const port = z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional());

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
  CORS_ORIGIN: optionalString,
  DATABASE_URL: optionalString.refine(
    (u) => u === undefined || /^postgres(ql)?:\/\//.test(u),
    'must be a postgres:// URL',
  ),
  REDIS_URL: optionalString.refine((u) => u === undefined || /^rediss?:\/\//.test(u), 'must be a redis:// URL'),
  REDIS_PREFIX: z.string().min(1).default('realtime'),
  METRICS_TOKEN: optionalString,
  DATA_DIR: z.string().default('data'),
  FALLBACK_WEBHOOK_URL: optionalString.refine(
    (u) => u === undefined || /^https?:\/\//.test(u),
    'must be an http(s) URL',
  ),
  WEB_DIST_DIR: optionalString,
  DEV_TOKENS: z.enum(['true', 'false', '1', '0']).optional(),
  DEV_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
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
  /** Allowed origins; null allows any origin. */
  corsOrigins: string[] | null;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Prefix of the cluster's Redis channels. */
  redisPrefix: string;
  metricsToken: string | undefined;
  /** Where the embedded store keeps its files (`memory://` for none). */
  dataDir: string;
  /** Where notifications for offline users are POSTed, when set. */
  fallbackWebhookUrl: string | undefined;
  /** A built web app to serve at `/`, when set. */
  webDistDir: string | undefined;
  /** Whether `POST /api/dev/token` is mounted: never in production, elsewhere unless DEV_TOKENS=false. */
  devTokens: boolean;
  devTokenTtlSeconds: number;
  /** Server processes behind the one port (1: this process serves alone). */
  workers: number;
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
  if (e.WORKERS > 1 && !e.DATABASE_URL) {
    throw new ConfigError(
      `WORKERS=${e.WORKERS} needs DATABASE_URL: the embedded store belongs to one process and cannot be shared`,
    );
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
    corsOrigins: origins?.length && !origins.includes('*') ? origins : null,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    metricsToken: e.METRICS_TOKEN,
    dataDir: e.DATA_DIR,
    fallbackWebhookUrl: e.FALLBACK_WEBHOOK_URL,
    webDistDir: e.WEB_DIST_DIR,
    devTokens: e.NODE_ENV !== 'production' && e.DEV_TOKENS !== 'false' && e.DEV_TOKENS !== '0',
    devTokenTtlSeconds: e.DEV_TOKEN_TTL_SECONDS,
    workers: e.WORKERS,
  };
}

/** The injection token of the validated {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');
