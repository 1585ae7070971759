import { describe, expect, it } from 'vitest';
import { SeqTracker } from './seq-tracker.js';

/** A tracker that resumed from `position` and finished a handshake whose server head was `head`. */
function live(position: number | null, head = position ?? 0): SeqTracker {
  const t = new SeqTracker(position);
  t.handshake();
  t.synced(head);
  return t;
}

describe('SeqTracker', () => {
  it('advances with consecutive live notifications', () => {
    const t = live(3);
    expect(t.received(4)).toBeNull();
    expect(t.received(5)).toBeNull();
    expect(t.position).toBe(5);
    expect(t.missing).toEqual([]);
  });

  it('notices a hole in live notifications and holds the position below it', () => {
    const t = live(3);
    expect(t.received(6)).toEqual({ from: 4, to: 5 });
    expect(t.position).toBe(3);
    expect(t.received(7)).toBeNull();
    expect(t.position).toBe(3);
    expect(t.isMissing(5)).toBe(true);
    expect(t.isMissing(6)).toBe(false);
  });

  it('closes a hole from late arrivals (a cluster may reorder two events)', () => {
    const t = live(3);
    t.received(6);
    t.received(5);
    expect(t.missing).toEqual([{ from: 4, to: 4 }]);
    t.received(4);
    expect(t.missing).toEqual([]);
    expect(t.position).toBe(6);
  });

  it('closes a hole once a fetch covered it, whatever it found (deleted notifications leave holes for good)', () => {
    const t = live(3);
    t.received(6);
    t.filled({ from: 1, to: 6 });
    expect(t.position).toBe(6);
  });

  it('takes no hole from the replay: it skips notifications deleted meanwhile', () => {
    const t = new SeqTracker(3);
    expect(t.handshake()).toBe(3);
    expect(t.received(5)).toBeNull();
    expect(t.received(9)).toBeNull();
    t.synced(9);
    expect(t.position).toBe(9);
    expect(t.missing).toEqual([]);
  });

  it('sends no position before it knows one, then adopts the server head', () => {
    const t = new SeqTracker();
    expect(t.handshake()).toBeNull();
    t.synced(42);
    expect(t.position).toBe(42);
  });

  it('keeps a live notification that arrived before synced on a first handshake (the socket is not held then)', () => {
    const t = new SeqTracker();
    t.handshake();
    t.received(11);
    t.synced(10);
    expect(t.position).toBe(11);
  });

  it('keeps a resync range missing past synced, and resumes below it until it is fetched', () => {
    const t = new SeqTracker(10);
    t.handshake();
    t.resync(11, 250);
    t.received(251); // a live one held during the handshake
    t.synced(251);
    expect(t.missing).toEqual([{ from: 11, to: 250 }]);
    expect(t.position).toBe(10);
    expect(t.handshake()).toBe(10);
    t.filled({ from: 11, to: 250 });
    expect(t.position).toBe(251);
  });

  it('drops the gaps of an earlier connection once a later handshake replayed past them', () => {
    const t = live(3);
    t.received(6); // hole 4..5, never filled (the HTTP fetch failed)
    t.disconnected();
    expect(t.handshake()).toBe(3);
    t.received(4); // the replay
    t.received(6);
    t.synced(6);
    expect(t.missing).toEqual([]);
    expect(t.position).toBe(6);
  });

  it('keeps gaps across a handshake that never reached synced', () => {
    const t = live(3);
    t.received(6);
    t.disconnected();
    t.handshake();
    t.disconnected();
    expect(t.position).toBe(3);
  });

  it('follows a server whose store was reset (its head is below what was sent)', () => {
    const t = new SeqTracker(500);
    t.handshake();
    t.synced(3);
    expect(t.position).toBe(3);
    expect(t.received(4)).toBeNull();
    expect(t.position).toBe(4);
  });
});
