import { type Notification } from '@realtime/contracts';
import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './channels/sender.js';
import { signWebhook } from './channels/webhook.sender.js';
import { backoffMs } from './decisions.js';
import { DEFAULT_PUSH_ORIGINS, endpointProblem } from './push/endpoint-origins.js';
import { MAX_PUSH_PAYLOAD_BYTES, pushPayload, topicOf } from './push/push.sender.js';

const n = (over: Partial<Notification> = {}): Notification => ({
  id: '6f9c2a4e-8a4b-4c1e-9f3a-2b7d5e1c0a99',
  userId: 'ada',
  seq: 7,
  type: 'mention',
  title: 'Hello',
  message: 'World',
  read: false,
  createdAt: '2026-12-07T00:00:00.000Z',
  ...over,
});

describe('push endpoints (no SSRF)', () => {
  it('accepts the major push services, and a wildcard only for subdomains on the default port', () => {
    for (const ok of [
      'https://fcm.googleapis.com/fcm/send/abc',
      'https://updates.push.services.mozilla.com/wpush/v2/abc',
      'https://web.push.apple.com/QH7x',
      'https://wns2-par02p.notify.windows.com/w/?token=x',
    ]) {
      expect(endpointProblem(ok, DEFAULT_PUSH_ORIGINS), ok).toBeNull();
    }
    for (const bad of [
      'http://fcm.googleapis.com/fcm/send/abc',
      'https://fcm.googleapis.com.evil.example/x',
      'https://notify.windows.com.evil.example/x',
      'https://evil.notify.windows.com:8443/x',
      'https://user:pw@fcm.googleapis.com/x',
      'https://169.254.169.254/latest/meta-data',
      'https://localhost/x',
      // The push library's legacy URL parser reads these hosts as 10.0.0.1 and vault.internal.
      'https://10.0.0.1;.notify.windows.com/x',
      "https://vault.internal'.notify.windows.com/x",
      'https://10.0.0.1{.notify.windows.com/x',
      'file:///etc/passwd',
      'nonsense',
    ]) {
      expect(endpointProblem(bad, DEFAULT_PUSH_ORIGINS), bad).not.toBeNull();
    }
  });

  it('PUSH_ENDPOINT_ORIGINS replaces the list', () => {
    expect(endpointProblem('https://127.0.0.1:4443/push/1', ['https://127.0.0.1:4443'])).toBeNull();
    expect(endpointProblem('https://fcm.googleapis.com/x', ['https://127.0.0.1:4443'])).not.toBeNull();
  });
});

describe('the push payload', () => {
  it('carries id, seq, type, title, message and a string url from data, nothing else of data', () => {
    expect(JSON.parse(pushPayload(n({ data: { url: '/feed', secret: 's' } })))).toEqual({
      id: n().id,
      seq: 7,
      type: 'mention',
      title: 'Hello',
      message: 'World',
      url: '/feed',
    });
    expect(JSON.parse(pushPayload(n({ data: { url: 42 } }))).url).toBeUndefined();
  });

  it('stays within 3 KB, however long the message or title, in characters of any width', () => {
    const overs = [
      { message: 'é'.repeat(5000) },
      { title: '😀'.repeat(200), message: '😀'.repeat(3000) },
      // Just over the limit in emoji (2 UTF-16 units, 4 bytes each): cut by code points, or it never ends.
      ...[760, 800, 900, 1000].map((n) => ({ message: '😀'.repeat(n) })),
    ];
    for (const over of overs) {
      const json = pushPayload(n(over));
      expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_PUSH_PAYLOAD_BYTES);
      expect(JSON.parse(json).message.endsWith('…')).toBe(true);
    }
    expect(JSON.parse(pushPayload(n({ message: 'x'.repeat(500) }), 120)).message).toHaveLength(120);
  });

  it('has one Topic per notification, in the characters and length RFC 8030 allows', () => {
    expect(topicOf(n().id)).toBe(topicOf(n().id));
    expect(topicOf(n().id)).not.toBe(topicOf('another'));
    expect(topicOf(n().id)).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});

describe('retries', () => {
  it('back off exponentially with jitter in the upper half, capped at an hour', () => {
    expect(backoffMs(0, 5000, () => 0)).toBe(2500);
    expect(backoffMs(0, 5000, () => 1)).toBe(5000);
    expect(backoffMs(3, 5000, () => 1)).toBe(40_000);
    expect(backoffMs(30, 5000, () => 1)).toBe(3_600_000);
  });

  it('read Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('webhook signature', () => {
  it('is t=<seconds>,v1=<HMAC-SHA256 hex of "t.body">, as Stripe signs', () => {
    // Computed with: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(signWebhook('secret', '{"a":1}', 1_700_000_000)).toBe(
      't=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686',
    );
  });
});
