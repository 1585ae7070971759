import type { Notification, NotificationPage, ServerPayload } from '@realtime/contracts';
import { RecentIds } from './recent-ids.js';
import { SeqTracker } from './seq-tracker.js';
import type { PositionStore } from './storage.js';

/** One notification, delivered once per id. */
export interface NotificationDelivery {
  notification: Notification;
  /** True when it was missed while away: replayed by the server, or fetched over HTTP to fill a gap. */
  replayed: boolean;
}

/** The feed must be refetched: more was missed than a replay carries (`notification:resync`), or than the SDK fetches. */
export interface ResyncNotice {
  fromSeq: number;
  toSeq: number;
}

export interface SyncHooks {
  positions: PositionStore;
  /** One page of the feed, newest first; null when it failed. */
  fetchPage(cursor: string | undefined): Promise<NotificationPage | null>;
  deliver(delivery: NotificationDelivery): void;
  resync(notice: ResyncNotice): void;
  /** Another user's session began: what was known of the previous one is gone. */
  userChanged(): void;
  /** {@link NotificationSync.caughtUp} may have changed. */
  changed(): void;
}

export interface SyncOptions {
  /** How many recent ids to remember against duplicates (default 1000). */
  dedupeCapacity?: number;
  /** How long a hole may stay open before it is fetched: a cluster may deliver two events out of order (default 250 ms). */
  gapGraceMs?: number;
  /** At most this many missed notifications are fetched and delivered one by one; past it, the feed is refetched (default 1000). */
  catchUpLimit?: number;
}

const MAX_RETRY_MS = 30_000;

/**
 * The replay position and everything that depends on it: what to send as `lastSeq`, delivering each
 * notification once, noticing a hole in `seq` and filling it over HTTP, refetching after a resync.
 */
export class NotificationSync {
  private userId: string | null = null;
  private tracker = new SeqTracker();
  private readonly seen: RecentIds;
  private serverSynced = false;
  private filling = false;
  private fillTimer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  /** Grows when the user changes or the client closes: async work of an older epoch is dropped. */
  private epoch = 0;
  private saved: number | null = null;
  private readonly gapGraceMs: number;
  private readonly catchUpLimit: number;

  constructor(
    private readonly hooks: SyncHooks,
    options: SyncOptions = {},
  ) {
    this.seen = new RecentIds(options.dedupeCapacity ?? 1000);
    this.gapGraceMs = options.gapGraceMs ?? 250;
    this.catchUpLimit = options.catchUpLimit ?? 1000;
  }

  /** The position: every notification up to this `seq` was delivered or is gone. */
  get position(): number | null {
    return this.tracker.position;
  }

  /** The server said the socket is caught up, and no gap is open or being filled. */
  get caughtUp(): boolean {
    return this.serverSynced && !this.filling && this.tracker.missing.length === 0;
  }

  /** Before each handshake: the token's user (null when unknown); resolves with the `lastSeq` to send. */
  async begin(userId: string | null): Promise<number | null> {
    if (userId !== null && userId !== this.userId) await this.switchUser(userId);
    this.serverSynced = false;
    return this.tracker.handshake();
  }

  /** `authenticated`: the server's word on who this is (the only word, for a token that is not a JWT). */
  authenticated(userId: string): void {
    if (this.userId === null) this.userId = userId;
    else if (userId !== this.userId) void this.switchUser(userId);
  }

  onNew({ notification, replayed }: ServerPayload<'notification:new'>): void {
    const hole = this.tracker.received(notification.seq);
    this.deliver(notification, replayed === true);
    if (hole) this.scheduleFill(this.gapGraceMs);
    this.persist();
  }

  onResync({ fromSeq, toSeq }: ServerPayload<'notification:resync'>): void {
    this.tracker.resync(fromSeq, toSeq);
    this.hooks.resync({ fromSeq, toSeq });
    this.scheduleFill(0);
    this.persist();
  }

  onSynced({ lastSeq }: ServerPayload<'notification:synced'>): void {
    this.tracker.synced(lastSeq);
    this.serverSynced = true;
    if (this.tracker.missing.length > 0) this.scheduleFill(0);
    this.persist();
  }

  onDisconnect(): void {
    this.serverSynced = false;
    this.tracker.disconnected();
    this.cancelFill();
  }

  /** Waits for the position writes under way. */
  flush(): Promise<void> {
    return this.hooks.positions.flush();
  }

  close(): void {
    this.epoch += 1;
    this.cancelFill();
    this.filling = false;
  }

  private async switchUser(userId: string): Promise<void> {
    this.close();
    const epoch = this.epoch;
    this.userId = userId;
    this.seen.clear();
    this.tracker = new SeqTracker();
    this.saved = null;
    this.hooks.userChanged();
    const stored = await this.hooks.positions.load(userId);
    if (epoch !== this.epoch) return;
    this.tracker = new SeqTracker(stored);
    this.saved = stored;
  }

  private deliver(notification: Notification, replayed: boolean): void {
    if (this.seen.add(notification.id)) this.hooks.deliver({ notification, replayed });
  }

  private persist(): void {
    const position = this.tracker.position;
    if (this.userId === null || position === null || position === this.saved) return;
    this.saved = position;
    void this.hooks.positions.save(this.userId, position);
  }

  private cancelFill(): void {
    if (this.fillTimer !== null) clearTimeout(this.fillTimer);
    this.fillTimer = null;
  }

  private scheduleFill(delay: number): void {
    if (this.fillTimer !== null || this.filling) return;
    this.hooks.changed();
    this.fillTimer = setTimeout(() => {
      this.fillTimer = null;
      void this.fill();
    }, delay);
  }

  /** Pages through the feed, newest first, down to the oldest gap; delivers what the gaps lacked, oldest first. */
  private async fill(): Promise<void> {
    const missing = this.tracker.missing;
    const top = this.tracker.highest;
    if (missing.length === 0 || top === null) return this.hooks.changed();
    const epoch = this.epoch;
    const lowest = missing[0]!.from;
    this.filling = true;
    const found: Notification[] = [];
    let outcome: 'complete' | 'capped' | 'failed' = 'failed';
    let coveredFrom = lowest;
    let cursor: string | undefined;
    try {
      for (;;) {
        const page = await this.hooks.fetchPage(cursor);
        if (epoch !== this.epoch) return;
        if (!page) break;
        for (const n of page.items) if (this.tracker.isMissing(n.seq)) found.push(n);
        const last = page.items.at(-1);
        if (!page.nextCursor || !last || last.seq <= lowest) {
          // Every seq between the oldest item seen (or 1, at the end of the feed) and `top` was listed if it exists.
          coveredFrom = !page.nextCursor || !last ? 1 : last.seq;
          outcome = 'complete';
          break;
        }
        if (found.length >= this.catchUpLimit) {
          outcome = 'capped';
          break;
        }
        cursor = page.nextCursor;
      }
    } catch {
      // A failed page is retried below.
    }
    if (epoch !== this.epoch) return;
    found.sort((a, b) => a.seq - b.seq);
    for (const n of found) {
      this.tracker.received(n.seq);
      this.deliver(n, true);
    }
    if (outcome === 'failed') this.failures += 1;
    else {
      this.failures = 0;
      this.tracker.filled({ from: outcome === 'complete' ? coveredFrom : lowest, to: top });
      if (outcome === 'capped') this.hooks.resync({ fromSeq: lowest, toSeq: top });
    }
    this.filling = false;
    this.persist();
    if (this.tracker.missing.length > 0)
      this.scheduleFill(this.failures === 0 ? 0 : Math.min(MAX_RETRY_MS, 500 * 2 ** this.failures));
    this.hooks.changed();
  }
}
