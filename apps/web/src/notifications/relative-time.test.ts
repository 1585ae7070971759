import { describe, expect, it } from 'vitest';
import { relativeTime } from './relative-time.js';

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
