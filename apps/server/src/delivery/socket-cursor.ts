import {
  type Notification,
  type ServerEventName,
  type ServerPayload,
  type UnreadCount as Count,
  type UserChange,
} from '@realtime/contracts';

export type { UserChange };

/** Where a cursor writes: one socket's own emits. */
export interface CursorOutput {
  send<E extends ServerEventName>(event: E, payload: ServerPayload<E>): void;
}

/** What the handshake read from the store for the socket's user. */
export interface HandshakeRead {
  /** `auth.lastSeq` as the client sent it: a number, `invalid`, or undefined for none. */
  resumeFrom: number | 'invalid' | null | undefined;
  /** The user's state, read after the socket joined its user's room. */
  lastSeq: number;
  count: Count;
  /** The notifications above `resumeFrom`, read after the state, oldest first, at most `limit + 1`. */
  missed: Notification[];
  /** The most a replay carries; beyond it the socket is sent `notification:resync`. */
  limit: number;
}

/** Changes held for a socket whose handshake is slower than this are given up for a resync. */
export const HOLD_LIMIT = 1000;

/**
 * How long a live notification that skips a `seq` waits for the ones below it. Two notifications of
 * one user created at once are numbered in the order they take the user's row lock, but PostgreSQL
 * releases a transaction's locks before it acknowledges its COMMIT, so the later one can commit, and
 * be delivered, first. A hole that is not such a race (an emit lost with Redis) costs one wait, not
 * one per event: the socket then goes on from the highest `seq` it was sent.
 */
export const REORDER_MS = 100;

/**
 * One socket's position in its user's notifications, and the only path by which `notification:*`
 * events reach it. Live changes are {@link offer}ed; until the handshake's {@link open} they are held;
 * the handshake's replay goes out first, then what was held, and from then on every notification this
 * socket was already sent (a replay, a catch-up, a copy that came late through Redis) is dropped, and
 * no count older than one it was sent goes out. {@link catchUp} gives it what the store has and it was
 * never sent (after a Redis outage); {@link close} ends it (the socket went away, even mid-replay).
 *
 * Positions: every `seq` up to `upTo` was sent (or is gone), and those in `above`. A later `seq` does
 * not close a hole below it (a live emit can arrive before the catch-up that fills the hole).
 *
 * Order: a live notification above the next `seq` waits (with whatever arrives after it) until the
 * ones below it arrive, at most {@link REORDER_MS}, so that one socket sees `seq` increasing.
 */
export class SocketCursor {
  private phase: 'held' | 'live' | 'closed' = 'held';
  private held: UserChange[] = [];
  /** Held changes were given up past {@link HOLD_LIMIT}: the highest `seq` and count among them. */
  private overflow: { seq: number; count: Count } | null = null;
  private upTo = 0;
  private readonly above = new Set<number>();
  /** The highest count version this socket was sent. */
  private version = -1;
  /** A catch-up was asked for while the handshake was still reading. */
  private stale = false;
  /** Live changes behind a notification that skipped a `seq`, in arrival order. */
  private waiting: UserChange[] = [];
  private waitTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly out: CursorOutput,
    /** Holes this socket gives up on rather than track forever (the replay limit). */
    private readonly maxHoles = 100,
  ) {}

  get isLive(): boolean {
    return this.phase === 'live';
  }

  /** Everything up to here was sent to the socket (or no longer exists). */
  get position(): number {
    return this.upTo;
  }

  /** Whether the socket was sent the notification with this `seq`. */
  has(seq: number): boolean {
    return seq <= this.upTo || this.above.has(seq);
  }

  /** A live change of this socket's user. */
  offer(change: UserChange): void {
    if (this.phase === 'live') {
      if (this.waiting.length === 0 && !this.skips(change)) return this.write(change);
      this.waiting.push(change);
      return this.drain(this.waiting.length > this.maxHoles);
    }
    if (this.phase === 'closed') return;
    if (this.held.length < HOLD_LIMIT && !this.overflow) return void this.held.push(change);
    // A handshake this slow is told to refetch rather than hold without bound.
    for (const c of this.held.splice(0).concat(change)) {
      const seq = c.kind === 'new' ? c.notification.seq : 0;
      const top = this.overflow ?? { seq: 0, count: c.count };
      this.overflow = { seq: Math.max(top.seq, seq), count: c.count.version > top.count.version ? c.count : top.count };
    }
  }

  /**
   * The handshake's read is in: sends the count, the replay (`replayed: true`) or a resync, then the
   * changes held meanwhile without the notifications the replay gave, then `notification:synced`.
   * Answers whether a catch-up was asked for meanwhile (the caller runs it now).
   */
  open(read: HandshakeRead): boolean {
    if (this.phase !== 'held') return false;
    const { resumeFrom, lastSeq, count, missed, limit } = read;
    this.sendCount(count);
    if (resumeFrom === 'invalid') {
      this.out.send('error', {
        code: 'VALIDATION_ERROR',
        message: 'auth.lastSeq must be a non-negative integer; nothing was replayed',
      });
    }
    if (typeof resumeFrom === 'number') {
      // A client ahead of the store (it was reset, or made its position up) is where the store is.
      const from = Math.min(resumeFrom, lastSeq);
      if (missed.length > limit) {
        this.out.send('notification:resync', { fromSeq: from + 1, toSeq: lastSeq });
      } else {
        const timestamp = new Date().toISOString();
        for (const notification of missed) {
          this.out.send('notification:new', { notification, timestamp, replayed: true });
          this.sent(notification.seq);
        }
      }
    }
    const held = this.held;
    this.held = [];
    this.phase = 'live';
    // Everything up to the state read was committed before it, and the replay gave what still exists:
    // a held or late copy of one of them is a duplicate. A socket without `lastSeq` (it fetches its
    // feed) gets all that was held, then is where the store is.
    if (typeof resumeFrom === 'number') this.sentUpTo(lastSeq);
    // All of what was held goes before `synced`, lower `seq`s first.
    this.waiting = held;
    this.drain(true);
    this.sentUpTo(lastSeq);
    if (this.overflow) {
      // Nothing is held once the hold overflowed: what arose is one resync and the newest count.
      const { seq, count: top } = this.overflow;
      this.overflow = null;
      if (seq > this.upTo) this.out.send('notification:resync', { fromSeq: this.upTo + 1, toSeq: seq });
      this.sentUpTo(seq);
      this.sendCount(top);
    }
    this.out.send('notification:synced', { lastSeq: Math.max(this.upTo, ...this.above) });
    const stale = this.stale;
    this.stale = false;
    return stale;
  }

  /**
   * What the store has that this socket was never sent (after a Redis outage: emits published
   * meanwhile elsewhere never arrived): the missing notifications, or a resync when `missed` (read
   * from at or below this position, at most `limit + 1`) was cut off; then the current count.
   * Answers how many notifications were resent. A socket still in its handshake is caught up once
   * it has opened.
   */
  catchUp(lastSeq: number, count: Count, missed: readonly Notification[], limit: number): number {
    if (this.phase === 'held') this.stale = true;
    if (this.phase !== 'live') return 0;
    let resent = 0;
    if (this.upTo < lastSeq && missed.length > limit) {
      this.out.send('notification:resync', { fromSeq: this.upTo + 1, toSeq: lastSeq });
    } else {
      const timestamp = new Date().toISOString();
      for (const notification of missed) {
        if (this.has(notification.seq)) continue;
        this.out.send('notification:new', { notification, timestamp });
        this.sent(notification.seq);
        resent++;
      }
    }
    this.sentUpTo(lastSeq);
    // Sent even when not newer: what the socket shows is set right from the store.
    this.sendCount(count, true);
    // Then what waited for a hole the store has now filled (or does not have): what is newer.
    this.drain(true);
    return resent;
  }

  /** The socket is gone: nothing more is sent, what was held is dropped. */
  close(): void {
    this.phase = 'closed';
    this.held = [];
    this.overflow = null;
    this.waiting = [];
    this.stopWaiting();
  }

  /**
   * Sends, in order, what waits for no lower `seq`: first a notification that is the next `seq`, from
   * anywhere in the queue, else the change at its head. `force` sends the rest too (the wait is over),
   * the notifications among it lowest `seq` first.
   */
  private drain(force: boolean): void {
    const seqOf = (c: UserChange) => (c.kind === 'new' ? c.notification.seq : Infinity);
    while (this.waiting.length > 0) {
      let i = this.waiting.findIndex((c) => seqOf(c) === this.highest + 1);
      if (i === -1 && !this.skips(this.waiting[0]!)) i = 0;
      else if (i === -1 && !force) break;
      else if (i === -1) i = this.waiting.reduce((low, c, k) => (seqOf(c) < seqOf(this.waiting[low]!) ? k : low), 0);
      this.write(this.waiting.splice(i, 1)[0]!);
    }
    if (this.waiting.length === 0) this.stopWaiting();
    else if (!this.waitTimer) {
      this.waitTimer = setTimeout(() => {
        this.waitTimer = null;
        this.drain(true);
      }, REORDER_MS);
      this.waitTimer.unref();
    }
  }

  /** The highest `seq` sent: `upTo`, or the highest above a hole (at most `maxHoles` of them). */
  private get highest(): number {
    let highest = this.upTo;
    for (const seq of this.above) if (seq > highest) highest = seq;
    return highest;
  }

  /** A notification above the next `seq`: one below it has not reached this socket yet. */
  private skips(change: UserChange): boolean {
    return change.kind === 'new' && change.notification.seq > this.highest + 1;
  }

  private stopWaiting(): void {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = null;
  }

  private write(change: UserChange): void {
    // The count goes out even if the event before it could not be sent.
    try {
      this.writeEvent(change);
    } finally {
      this.sendCount(change.count);
    }
  }

  private writeEvent(change: UserChange): void {
    switch (change.kind) {
      case 'new': {
        const { notification, timestamp } = change;
        if (this.has(notification.seq)) break; // its count still goes out when newer
        this.out.send('notification:new', { notification, timestamp });
        this.sent(notification.seq);
        break;
      }
      case 'read':
        for (const notificationId of change.ids) this.out.send('notification:read', { notificationId, success: true });
        break;
      case 'deleted':
        this.out.send('notification:deleted', { notificationId: change.id });
        break;
    }
  }

  private sendCount(count: Count, always = false): void {
    if (count.version <= this.version && !always) return;
    this.version = Math.max(this.version, count.version);
    this.out.send('notification:unread_count', { unreadCount: count.unreadCount, version: count.version });
  }

  private sent(seq: number): void {
    if (seq <= this.upTo) return;
    if (seq > this.upTo + 1) {
      this.above.add(seq);
      // A hole no catch-up came to fill (an emit that failed) is given up on, not tracked forever.
      if (this.above.size > this.maxHoles) this.sentUpTo(Math.max(...this.above));
      return;
    }
    this.upTo = seq;
    while (this.above.delete(this.upTo + 1)) this.upTo++;
  }

  private sentUpTo(seq: number): void {
    if (seq <= this.upTo) return;
    this.upTo = seq;
    for (const n of this.above) if (n <= seq) this.above.delete(n);
    while (this.above.delete(this.upTo + 1)) this.upTo++;
  }
}
