import { createECDH, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createNotificationBodySchema,
  offlineOptionsSchema,
  pushSubscriptionSchema,
  quietHoursSchema,
  setEmailAddressBodySchema,
  updatePreferencesBodySchema,
} from './index.js';

/** A subscription as a browser makes it: a P-256 public key (65 bytes) and a 16-byte secret. */
const browserSubscription = () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint: 'https://fcm.googleapis.com/fcm/send/abc',
    expirationTime: null,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
};

describe('push subscriptions', () => {
  it("accept a browser's PushSubscription.toJSON(), padded base64 or not", () => {
    const sub = browserSubscription();
    expect(pushSubscriptionSchema.parse(sub)).toEqual(sub);
    const padded = { ...sub, keys: { ...sub.keys, auth: `${sub.keys.auth}==` } };
    expect(pushSubscriptionSchema.safeParse(padded).success).toBe(true);
  });

  it('refuse keys of the wrong size or alphabet, and endpoints that are not https:', () => {
    const sub = browserSubscription();
    const bad = [
      { ...sub, keys: { ...sub.keys, p256dh: sub.keys.p256dh.slice(0, -4) } },
      { ...sub, keys: { ...sub.keys, auth: randomBytes(32).toString('base64url') } },
      { ...sub, keys: { ...sub.keys, auth: 'a+b/c'.repeat(5) } },
      { ...sub, endpoint: 'http://fcm.googleapis.com/x' },
      { ...sub, endpoint: 'javascript:alert(1)' },
      { endpoint: sub.endpoint },
    ];
    for (const b of bad) expect(pushSubscriptionSchema.safeParse(b).success, JSON.stringify(b)).toBe(false);
  });
});

describe('offline options', () => {
  it('name channels once each, and a delay of at most 7 days', () => {
    expect(offlineOptionsSchema.parse({ channels: ['push', 'webhook'], delaySeconds: 60 })).toBeTruthy();
    expect(offlineOptionsSchema.safeParse({ channels: ['push', 'push'] }).success).toBe(false);
    expect(offlineOptionsSchema.safeParse({ channels: ['sms'] }).success).toBe(false);
    expect(offlineOptionsSchema.safeParse({ delaySeconds: 7 * 86400 + 1 }).success).toBe(false);
    expect(offlineOptionsSchema.safeParse({ delaySeconds: -1 }).success).toBe(false);
  });

  it('ride on POST /api/notifications', () => {
    const body = { userId: 'ada', title: 't', message: 'm', offline: { channels: [] } };
    expect(createNotificationBodySchema.parse(body).offline).toEqual({ channels: [] });
  });
});

describe('email and quiet hours', () => {
  it('quiet hours: HH:MM times that differ and an IANA zone', () => {
    const ok = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };
    expect(quietHoursSchema.parse(ok)).toEqual(ok);
    for (const bad of [
      { ...ok, start: '24:00' },
      { ...ok, end: '7:00' },
      { ...ok, end: '22:00' },
      { ...ok, timeZone: 'Mars/Olympus_Mons' },
      { ...ok, timeZone: '' },
    ]) {
      expect(quietHoursSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('a preferences update names preferences, quiet hours (null removes them) or both', () => {
    expect(updatePreferencesBodySchema.safeParse({}).success).toBe(false);
    expect(updatePreferencesBodySchema.safeParse({ quietHours: null }).success).toBe(true);
    expect(updatePreferencesBodySchema.safeParse({ preferences: { promo: { email: false } } }).success).toBe(true);
  });

  it('a digest key is a short string, an address a valid email or null', () => {
    expect(offlineOptionsSchema.safeParse({ digestKey: 'thread-42' }).success).toBe(true);
    expect(offlineOptionsSchema.safeParse({ digestKey: '' }).success).toBe(false);
    expect(offlineOptionsSchema.safeParse({ digestKey: 'x'.repeat(129) }).success).toBe(false);
    expect(setEmailAddressBodySchema.safeParse({ email: null }).success).toBe(true);
    expect(setEmailAddressBodySchema.safeParse({ email: 'a@b.example' }).success).toBe(true);
    expect(setEmailAddressBodySchema.safeParse({ email: 'not an address' }).success).toBe(false);
    expect(setEmailAddressBodySchema.safeParse({}).success).toBe(false);
  });
});
