import type { Notification } from '@realtime/contracts';
import { describe, expect, it } from 'vitest';
import { relativeTime } from './relative-time.js';
import { isReplay, replaySummary } from './replay.js';

const notification = (createdAt: string): Notification => ({
  id: '7d5c0a3e-9a77-4a3f-8f1e-2b7f4f0c1a11',
  userId: 'ada',
  seq: 1,
  type: 'info',
  title: 'Hello',
  message: '',
  read: false,
  createdAt,
});

describe('isReplay', () => {
  it('tells a live notification from one replayed after a reconnect', () => {
    const createdAt = '2026-01-01T10:00:00.000Z';
    expect(isReplay({ notification: notification(createdAt), timestamp: '2026-01-01T10:00:00.020Z' })).toBe(false);
    expect(isReplay({ notification: notification(createdAt), timestamp: '2026-01-01T10:05:00.000Z' })).toBe(true);
  });

  it('says how many were replayed', () => {
    expect(replaySummary(1)).toBe('1 notification arrived while you were away');
    expect(replaySummary(3)).toBe('3 notifications arrived while you were away');
  });
});

describe('relativeTime', () => {
  const now = Date.parse('2026-01-10T12:00:00.000Z');

  it('reads like a person would say it', () => {
    expect(relativeTime('2026-01-10T11:59:30.000Z', now)).toBe('just now');
    expect(relativeTime('2026-01-10T11:55:00.000Z', now)).toBe('5 min ago');
    expect(relativeTime('2026-01-10T09:00:00.000Z', now)).toBe('3 h ago');
    expect(relativeTime('2026-01-08T12:00:00.000Z', now)).toBe('2 d ago');
    expect(relativeTime('2025-12-01T12:00:00.000Z', now)).toMatch(/2025/);
  });

  it('shows nothing for an unreadable date and "just now" for a clock slightly ahead', () => {
    expect(relativeTime('nope', now)).toBe('');
    expect(relativeTime('2026-01-10T12:00:05.000Z', now)).toBe('just now');
  });
});
