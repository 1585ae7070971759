import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to port 3000, /socket.io/, a development secret, same-origin only and no dev tokens', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      wsPath: '/socket.io/',
      usingDevSecret: true,
      corsOrigins: [],
      devTokens: false,
      env: 'development',
    });
    expect(loadConfig({ CORS_ORIGIN: '*' }).corsOrigins).toBeNull();
  });

  it('reads PORT, falls back to WS_PORT, and normalises WS_PATH and CORS_ORIGIN', () => {
    expect(loadConfig({ WS_PORT: '4000' }).port).toBe(4000);
    expect(loadConfig({ PORT: '5000', WS_PORT: '4000' }).port).toBe(5000);
    expect(loadConfig({ WS_PATH: '/rt' }).wsPath).toBe('/rt/');
    expect(loadConfig({ CORS_ORIGIN: 'https://a.example, https://b.example/' }).corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it('treats an empty PORT as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
    expect(loadConfig({ PORT: '', WS_PORT: '4100' }).port).toBe(4100);
  });

  it('mounts the dev token endpoint only with DEV_TOKENS=true, and never in production', () => {
    expect(loadConfig({}).devTokens).toBe(false);
    expect(loadConfig({ DEV_TOKENS: 'true' }).devTokens).toBe(true);
    const secret = 'x'.repeat(32);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, DEV_TOKENS: 'true' }).devTokens).toBe(false);
  });

  it('refuses production without JWT_SECRET or with one shorter than 32 bytes, in one line', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('JWT_SECRET is required when NODE_ENV=production');
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's' })).toThrow('at least 32 bytes');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's3cret'.repeat(6) }).usingDevSecret).toBe(false);
  });

  it('refuses malformed values with the variable named', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
  });

  it('reads REDIS_ADAPTER (classic by default, or sharded) and names it when it is neither', () => {
    expect(loadConfig({}).redisAdapter).toBe('classic');
    expect(loadConfig({ REDIS_ADAPTER: '' }).redisAdapter).toBe('classic');
    expect(loadConfig({ REDIS_ADAPTER: 'sharded' }).redisAdapter).toBe('sharded');
    expect(() => loadConfig({ REDIS_ADAPTER: 'cluster' })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_ADAPTER: 'cluster' })).toThrow(/REDIS_ADAPTER.*"classic"\|"sharded"/);
  });

  it('reads WORKERS (a count or auto) and refuses more than one without PostgreSQL', () => {
    const db = 'postgres://localhost/x';
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ WORKERS: '4', DATABASE_URL: db }).workers).toBe(4);
    expect(loadConfig({ WORKERS: 'auto', DATABASE_URL: db }).workers).toBeGreaterThanOrEqual(1);
    expect(loadConfig({ WORKERS: '1' }).workers).toBe(1);
    expect(loadConfig({ WORKERS: '' }).workers).toBe(1);
    expect(() => loadConfig({ WORKERS: '2' })).toThrow('WORKERS=2 needs DATABASE_URL');
    expect(() => loadConfig({ WORKERS: '0', DATABASE_URL: db })).toThrow(/WORKERS/);
    expect(() => loadConfig({ WORKERS: 'many', DATABASE_URL: db })).toThrow(/WORKERS/);
  });

  it('takes VAPID keys as a pair with a mailto: or https: subject, and push origins as a list', () => {
    const keys = { VAPID_PUBLIC_KEY: 'pub', VAPID_PRIVATE_KEY: 'priv' };
    expect(loadConfig({ ...keys, VAPID_SUBJECT: 'mailto:ops@example.com' }).vapid).toEqual({
      publicKey: 'pub',
      privateKey: 'priv',
      subject: 'mailto:ops@example.com',
    });
    expect(loadConfig({}).vapid).toBeUndefined();
    expect(() => loadConfig({ VAPID_PUBLIC_KEY: 'pub' })).toThrow('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together');
    expect(() => loadConfig(keys)).toThrow(/VAPID_SUBJECT/);
    expect(() => loadConfig({ ...keys, VAPID_SUBJECT: 'ops@example.com' })).toThrow(/VAPID_SUBJECT/);
    expect(
      loadConfig({ PUSH_ENDPOINT_ORIGINS: 'https://a.example/, https://*.b.example' }).pushEndpointOrigins,
    ).toEqual(['https://a.example', 'https://*.b.example']);
    expect(loadConfig({}).pushEndpointOrigins).toBeNull();
  });

  it('reads PUSH_TYPE_OPTIONS as JSON per type, and names what is wrong in it', () => {
    expect(
      loadConfig({ PUSH_TYPE_OPTIONS: '{"message":{"urgency":"high","ttlSeconds":3600}}' }).pushTypeOptions,
    ).toEqual({ message: { urgency: 'high', ttlSeconds: 3600 } });
    expect(loadConfig({}).pushTypeOptions).toEqual({});
    expect(() => loadConfig({ PUSH_TYPE_OPTIONS: '{oops' })).toThrow('PUSH_TYPE_OPTIONS must be JSON');
    expect(() => loadConfig({ PUSH_TYPE_OPTIONS: '{"m":{"urgency":"now"}}' })).toThrow(/PUSH_TYPE_OPTIONS\.m\.urgency/);
    expect(() => loadConfig({ PUSH_TYPE_OPTIONS: '{"m":{"ttl":5}}' })).toThrow(/PUSH_TYPE_OPTIONS/);
  });

  it('reads the email settings, with defaults that link to this server', () => {
    expect(loadConfig({ PORT: '4000' }).email).toEqual({
      smtpUrl: undefined,
      from: 'Realtime <notifications@localhost>',
      appUrl: 'http://localhost:4000',
      publicUrl: 'http://localhost:4000',
      delaySeconds: 300,
      digestWindowSeconds: 600,
      digestMaxItems: 100,
      types: {},
    });
    const set = loadConfig({
      SMTP_URL: 'smtps://u:p@smtp.example.com',
      APP_URL: 'https://app.example.com/',
      EMAIL_DIGEST_WINDOW_SECONDS: '0',
      EMAIL_TYPE_OPTIONS: '{"security":{"delaySeconds":0,"digest":false}}',
    }).email;
    expect(set).toMatchObject({ appUrl: 'https://app.example.com', publicUrl: 'https://app.example.com' });
    expect(set).toMatchObject({ digestWindowSeconds: 0, types: { security: { delaySeconds: 0, digest: false } } });
  });

  it('refuses email settings that cannot work', () => {
    expect(() => loadConfig({ SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ EMAIL_TYPE_OPTIONS: '{"x":{"digest":"no"}}' })).toThrow(/EMAIL_TYPE_OPTIONS\.x\.digest/);
    expect(() => loadConfig({ EMAIL_DIGEST_WINDOW_SECONDS: '90000' })).toThrow(/shorter than OFFLINE_MAX_AGE_SECONDS/);
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), SMTP_URL: 'smtp://mail:25' };
    expect(() => loadConfig({ ...production, PUBLIC_URL: 'http://gw.example.com' })).toThrow(/https/);
    expect(loadConfig({ ...production, PUBLIC_URL: 'https://gw.example.com' }).email.publicUrl).toBe(
      'https://gw.example.com',
    );
  });
});
