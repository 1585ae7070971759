/** An inclusive range of `seq`. */
export interface SeqRange {
  from: number;
  to: number;
}

interface Gap extends SeqRange {
  /** The handshake during which it was found: a later handshake's replay covers it. */
  generation: number;
}

/**
 * Where a device stands in its user's `seq` sequence, and what it knows it is missing. Pure: it decides,
 * the caller fetches and delivers.
 *
 * - `head`: the highest `seq` accounted for (seen, or declared by the server).
 * - `gaps`: ranges at or below `head` that are missing until a replay or a fetch covers them.
 * - `position` (what is stored and sent as `auth.lastSeq`): everything up to it was delivered or is gone.
 */
export class SeqTracker {
  private head: number | null;
  private gaps: Gap[] = [];
  private generation = 0;
  /** Between a handshake that sent a position and `notification:synced`: the server's order is authoritative. */
  private replaying = false;
  private sent: number | null = null;

  constructor(position: number | null = null) {
    this.head = position;
  }

  get position(): number | null {
    const first = this.gaps[0];
    return first ? first.from - 1 : this.head;
  }

  get missing(): readonly SeqRange[] {
    return this.gaps.map(({ from, to }) => ({ from, to }));
  }

  get highest(): number | null {
    return this.head;
  }

  /** A handshake is about to be sent: returns the position to resume from. */
  handshake(): number | null {
    this.generation += 1;
    this.sent = this.position;
    this.replaying = this.sent !== null;
    return this.sent;
  }

  /**
   * A notification with `seq` arrived. Returns the range it shows missing: only a live one can, since a replay
   * skips notifications deleted meanwhile and that is no hole.
   */
  received(seq: number): SeqRange | null {
    if (this.head === null) {
      this.head = seq;
      return null;
    }
    if (seq <= this.head) {
      this.close(seq, seq);
      return null;
    }
    const hole = !this.replaying && seq > this.head + 1 ? { from: this.head + 1, to: seq - 1 } : null;
    if (hole) this.gaps.push({ ...hole, generation: this.generation });
    this.head = seq;
    return hole;
  }

  /** The server declared `from..to` too many to replay: missing until fetched. */
  resync(from: number, to: number): SeqRange {
    const range = { from, to };
    this.close(from, to);
    this.gaps.push({ ...range, generation: this.generation });
    this.gaps.sort((a, b) => a.from - b.from);
    this.head = Math.max(this.head ?? 0, to);
    return range;
  }

  /** `notification:synced`: the handshake's replay is over and the server's head is `lastSeq`. */
  synced(lastSeq: number): void {
    if (this.replaying) {
      // What was missing when the handshake left, the replay covered, or a resync of this handshake declared.
      this.gaps = this.gaps.filter((g) => g.generation === this.generation);
      if (this.sent !== null && lastSeq < this.sent) {
        // The server holds fewer notifications than this device saw: its store was reset. Follow it.
        this.head = lastSeq;
        this.gaps = [];
      }
    }
    this.replaying = false;
    if (this.head === null || lastSeq > this.head) this.head = lastSeq;
  }

  /** Everything that still exists in `range` was delivered (a fetch covered it). */
  filled(range: SeqRange): void {
    this.close(range.from, range.to);
  }

  /** The connection dropped: the next handshake decides again. */
  disconnected(): void {
    this.replaying = false;
  }

  /** Whether `seq` lies in a known gap. */
  isMissing(seq: number): boolean {
    return this.gaps.some((g) => seq >= g.from && seq <= g.to);
  }

  private close(from: number, to: number): void {
    const next: Gap[] = [];
    for (const g of this.gaps) {
      if (to < g.from || from > g.to) {
        next.push(g);
        continue;
      }
      if (g.from < from) next.push({ from: g.from, to: from - 1, generation: g.generation });
      if (g.to > to) next.push({ from: to + 1, to: g.to, generation: g.generation });
    }
    this.gaps = next;
  }
}
