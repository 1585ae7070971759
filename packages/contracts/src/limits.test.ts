import { describe, expect, it } from 'vitest';
import { idempotencyKeySchema, NOTIFICATION_DATA_LIMITS, notificationDataSchema } from './index.js';

const nested = (depth: number): unknown => (depth === 1 ? { k: 1 } : { k: nested(depth - 1) });

describe('notification data', () => {
  const { maxBytes, maxDepth } = NOTIFICATION_DATA_LIMITS;

  it('takes objects nested up to the depth limit, arrays counting as levels', () => {
    expect(notificationDataSchema.safeParse(nested(maxDepth)).success).toBe(true);
    expect(notificationDataSchema.safeParse(nested(maxDepth + 1)).success).toBe(false);
    expect(notificationDataSchema.safeParse({ a: [[[[[[[1]]]]]]] }).success).toBe(true);
    expect(notificationDataSchema.safeParse({ a: [[[[[[[[1]]]]]]]] }).success).toBe(false);
  });

  it('measures its JSON in UTF-8 bytes', () => {
    const of = (s: string) => ({ s });
    const room = maxBytes - JSON.stringify(of('')).length;
    expect(notificationDataSchema.safeParse(of('x'.repeat(room))).success).toBe(true);
    expect(notificationDataSchema.safeParse(of('x'.repeat(room + 1))).success).toBe(false);
    expect(notificationDataSchema.safeParse(of('é'.repeat(room / 2 + 1))).success).toBe(false);
  });

  it('checks a hostile depth without overflowing the stack', () => {
    const deep = JSON.parse(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(notificationDataSchema.safeParse(deep).success).toBe(false);
  });
});

describe('Idempotency-Key', () => {
  it('is 1-255 printable ASCII characters', () => {
    for (const ok of ['a', 'k'.repeat(255), ' !~ order-42 '])
      expect(idempotencyKeySchema.safeParse(ok).success).toBe(true);
    for (const bad of ['', 'k'.repeat(256), 'café', 'tab\there', 'nul\u0000'])
      expect(idempotencyKeySchema.safeParse(bad).success, bad).toBe(false);
  });
});
