import { type Notification, type UserChange } from '@realtime/contracts';
import { describe, expect, it, vi } from 'vitest';
import { HOLD_LIMIT, type HandshakeRead, REORDER_MS, SocketCursor } from './socket-cursor.js';

const LIMIT = 100;

const n = (seq: number): Notification => ({
  id: `id-${seq}`,
  userId: 'u1',
  seq,
  type: 'info',
  title: `#${seq}`,
  message: '',
  read: false,
  createdAt: '2026-12-04T00:00:00.000Z',
});

/** A live notification of u1 with the count after it (one notification per version, from 0 unread). */
const live = (seq: number, version = seq): UserChange => ({
  kind: 'new',
  userId: 'u1',
  notification: n(seq),
  count: { unreadCount: seq, version },
  timestamp: '2026-12-04T00:00:01.000Z',
});

function cursor() {
  const out: [string, unknown][] = [];
  const c = new SocketCursor({ send: (event, payload) => void out.push([event, payload]) }, LIMIT);
  /** What the socket was sent, as `event` or `event:seq` for notifications. */
  const sent = () =>
    out.map(([event, payload]) => {
      const p = payload as { notification?: Notification; version?: number; replayed?: boolean };
      if (p.notification) return `${p.replayed ? 'replay' : 'new'}:${p.notification.seq}`;
      if (event === 'notification:unread_count') return `count:v${p.version}`;
      return event;
    });
  const clear = () => void out.splice(0);
  return { c, out, sent, clear };
}

const read = (over: Partial<HandshakeRead>): HandshakeRead => ({
  resumeFrom: undefined,
  lastSeq: 0,
  count: { unreadCount: 0, version: 0 },
  missed: [],
  limit: LIMIT,
  ...over,
});

const seqs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => n(from + i));

describe('SocketCursor', () => {
  it('holds live changes during the handshake: the replay first, then what arose, each seq once, in order', () => {
    const { c, sent } = cursor();
    // Published while the handshake read: 6 and 7 committed before the reads (the replay has them), 8 after.
    c.offer(live(6));
    c.offer(live(7));
    c.offer(live(8));
    expect(sent()).toEqual([]);
    c.open(read({ resumeFrom: 4, lastSeq: 7, count: { unreadCount: 7, version: 7 }, missed: seqs(5, 7) }));
    expect(sent()).toEqual([
      'count:v7',
      'replay:5',
      'replay:6',
      'replay:7',
      'new:8',
      'count:v8',
      'notification:synced',
    ]);
  });

  it('drops a late copy of what it already sent, but not a newer count that came with it', () => {
    const { c, sent, clear } = cursor();
    // The replay read (after the state) already had 6; its live copy comes later, through Redis.
    c.open(read({ resumeFrom: 4, lastSeq: 5, count: { unreadCount: 5, version: 5 }, missed: seqs(5, 6) }));
    clear();
    c.offer(live(6));
    c.offer(live(6));
    c.offer(live(5, 5));
    expect(sent()).toEqual(['count:v6']);
    c.offer(live(7));
    expect(sent()).toEqual(['count:v6', 'new:7', 'count:v7']);
  });

  it('never sends a count older than one it sent', () => {
    const { c, sent, clear } = cursor();
    c.open(read({ lastSeq: 3, count: { unreadCount: 3, version: 9 } }));
    clear();
    c.offer({ kind: 'read', userId: 'u1', ids: ['id-2'], count: { unreadCount: 2, version: 8 } });
    c.offer({ kind: 'deleted', userId: 'u1', id: 'id-1', count: { unreadCount: 1, version: 10 } });
    expect(sent()).toEqual(['notification:read', 'notification:deleted', 'count:v10']);
  });

  it('a later seq waits for the hole below it; the catch-up fills it, each seq once and in order', () => {
    const { c, sent, clear } = cursor();
    c.open(read({ resumeFrom: 9, lastSeq: 9, count: { unreadCount: 9, version: 9 } }));
    clear();
    c.offer(live(11)); // 10 was published on a process Redis could not reach
    expect(sent()).toEqual([]);
    expect(c.position).toBe(9);
    expect(c.has(10)).toBe(false);
    const resent = c.catchUp(12, { unreadCount: 12, version: 12 }, seqs(10, 12), LIMIT);
    expect(resent).toBe(3);
    expect(sent()).toEqual(['new:10', 'new:11', 'new:12', 'count:v12']);
    expect(c.position).toBe(12);
    clear();
    c.offer(live(12)); // its live copy, late
    expect(sent()).toEqual([]);
  });

  it('sends two notifications that committed out of seq order in seq order, with what came after them', () => {
    const { c, sent, clear } = cursor();
    c.open(read({ resumeFrom: 59, lastSeq: 59, count: { unreadCount: 59, version: 59 } }));
    clear();
    c.offer(live(61));
    c.offer({ kind: 'read', userId: 'u1', ids: ['id-61'], count: { unreadCount: 60, version: 62 } });
    expect(sent()).toEqual([]);
    c.offer(live(60));
    expect(sent()).toEqual(['new:60', 'count:v60', 'new:61', 'count:v61', 'notification:read', 'count:v62']);
    expect(c.position).toBe(61);
  });

  it('sends what was held during a handshake without lastSeq lowest seq first, then synced', () => {
    const { c, sent } = cursor();
    c.offer(live(61));
    c.offer(live(60));
    c.open(read({ lastSeq: 59, count: { unreadCount: 59, version: 59 } }));
    expect(sent()).toEqual(['count:v59', 'new:60', 'count:v60', 'new:61', 'count:v61', 'notification:synced']);
  });

  it('waits at most REORDER_MS for a hole: one that is not filled costs one wait, not one per event', () => {
    vi.useFakeTimers();
    try {
      const { c, sent, clear } = cursor();
      c.open(read({ resumeFrom: 10, lastSeq: 10, count: { unreadCount: 10, version: 10 } }));
      clear();
      c.offer(live(12)); // 11's emit was lost
      vi.advanceTimersByTime(REORDER_MS - 1);
      expect(sent()).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(sent()).toEqual(['new:12', 'count:v12']);
      c.offer(live(13));
      expect(sent()).toEqual(['new:12', 'count:v12', 'new:13', 'count:v13']);
      expect(c.has(11)).toBe(false);
      // A socket that goes away while a notification waits is sent nothing more.
      c.offer(live(15));
      c.close();
      vi.advanceTimersByTime(REORDER_MS);
      expect(sent()).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a catch-up finds a seq published elsewhere below a live one that reached the socket during its handshake', () => {
    const { c, out, sent, clear } = cursor();
    // Resumed from 5, the state read at 8: the replay is 6-8. Meanwhile 9 was published on a process
    // Redis could not reach, and 10 on this one: 10 is held, then sent; `synced` names 10.
    c.offer(live(10));
    c.open(read({ resumeFrom: 5, lastSeq: 8, count: { unreadCount: 8, version: 8 }, missed: seqs(6, 8) }));
    expect(sent()).toEqual([
      'count:v8',
      'replay:6',
      'replay:7',
      'replay:8',
      'new:10',
      'count:v10',
      'notification:synced',
    ]);
    expect(out.at(-1)![1]).toEqual({ lastSeq: 10 });
    clear();
    expect(c.catchUp(10, { unreadCount: 10, version: 10 }, seqs(6, 10), LIMIT)).toBe(1);
    expect(sent()).toEqual(['new:9', 'count:v10']);
  });

  it('filling a hole moves the position past what was sent above it', () => {
    const { c } = cursor();
    c.open(read({ resumeFrom: 4, lastSeq: 4, count: { unreadCount: 4, version: 4 } }));
    c.offer(live(6));
    c.offer(live(7));
    c.offer(live(5));
    expect(c.position).toBe(7);
  });

  it('gives up on a hole no catch-up fills rather than track it forever', () => {
    const { c } = cursor();
    c.open(read({ resumeFrom: 0 }));
    for (let seq = 2; seq <= LIMIT + 2; seq++) c.offer(live(seq));
    expect(c.position).toBe(LIMIT + 2);
  });

  it('sends a resync past the replay limit, and live changes after it', () => {
    const { c, out, sent } = cursor();
    c.offer(live(151));
    c.open(read({ resumeFrom: 20, lastSeq: 150, count: { unreadCount: 9, version: 150 }, missed: seqs(21, 122) }));
    expect(sent()).toEqual(['count:v150', 'notification:resync', 'new:151', 'count:v151', 'notification:synced']);
    expect(out[1]![1]).toEqual({ fromSeq: 21, toSeq: 150 });
    expect(out.at(-1)![1]).toEqual({ lastSeq: 151 });
  });

  it('a catch-up beyond the replay limit is a resync from the socket’s position', () => {
    const { c, out, sent, clear } = cursor();
    c.open(read({ resumeFrom: 3, lastSeq: 3, count: { unreadCount: 3, version: 3 } }));
    clear();
    c.catchUp(300, { unreadCount: 1, version: 400 }, seqs(4, 104), LIMIT);
    expect(sent()).toEqual(['notification:resync', 'count:v400']);
    expect(out[0]![1]).toEqual({ fromSeq: 4, toSeq: 300 });
    expect(c.position).toBe(300);
  });

  it('a client ahead of the store is where the store is: the next seq is not taken for a duplicate', () => {
    const { c, sent, clear } = cursor();
    c.open(read({ resumeFrom: 40, lastSeq: 2, count: { unreadCount: 2, version: 2 } }));
    clear();
    c.offer(live(3));
    expect(sent()).toEqual(['new:3', 'count:v3']);
  });

  it('a socket without lastSeq gets what arose during its handshake, then starts at the head', () => {
    const { c, sent } = cursor();
    c.offer(live(5));
    c.open(read({ lastSeq: 5, count: { unreadCount: 5, version: 5 } }));
    expect(sent()).toEqual(['count:v5', 'new:5', 'notification:synced']);
    expect(c.position).toBe(5);
  });

  it('an invalid lastSeq replays nothing and says why', () => {
    const { c, sent } = cursor();
    c.open(read({ resumeFrom: 'invalid', lastSeq: 5, count: { unreadCount: 5, version: 5 } }));
    expect(sent()).toEqual(['count:v5', 'error', 'notification:synced']);
  });

  it('a socket that disconnects mid-replay is sent nothing more', () => {
    const { c, sent } = cursor();
    c.offer(live(6));
    c.close();
    c.offer(live(7));
    expect(c.open(read({ resumeFrom: 4, lastSeq: 7, missed: seqs(5, 7) }))).toBe(false);
    expect(c.catchUp(9, { unreadCount: 9, version: 9 }, seqs(5, 9), LIMIT)).toBe(0);
    expect(sent()).toEqual([]);
  });

  it('a catch-up during the handshake is run once the handshake is over', () => {
    const { c } = cursor();
    expect(c.catchUp(9, { unreadCount: 9, version: 9 }, [], LIMIT)).toBe(0);
    expect(c.open(read({ resumeFrom: 9, lastSeq: 9 }))).toBe(true);
  });

  it('holds at most HOLD_LIMIT changes; a handshake slower than that ends in a resync', () => {
    const { c, out, sent } = cursor();
    for (let seq = 11; seq <= 10 + HOLD_LIMIT + 5; seq++) c.offer(live(seq));
    c.open(read({ resumeFrom: 10, lastSeq: 10, count: { unreadCount: 10, version: 10 } }));
    const top = 10 + HOLD_LIMIT + 5;
    expect(sent()).toEqual(['count:v10', 'notification:resync', `count:v${top}`, 'notification:synced']);
    expect(out[1]![1]).toEqual({ fromSeq: 11, toSeq: top });
    expect(out.at(-1)![1]).toEqual({ lastSeq: top });
  });

  it('still sends the count when the notification before it cannot be sent', () => {
    const sent: string[] = [];
    const c = new SocketCursor(
      {
        send: (event) => {
          if (event === 'notification:new') throw new RangeError('Maximum call stack size exceeded');
          sent.push(event);
        },
      },
      LIMIT,
    );
    c.open(read({ lastSeq: 0 }));
    expect(() => c.offer(live(1))).toThrow(RangeError);
    expect(sent.at(-1)).toBe('notification:unread_count');
  });
});
