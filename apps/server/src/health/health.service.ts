import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { EventLoopWatch, type LoopDelay } from './event-loop-watch.js';

export type ReadinessCheck = () => Promise<void>;

const CHECK_TIMEOUT_MS = 2000;
/** An event loop blocked this long (within the watch's window) makes the process wedged. */
const BLOCKED_LOOP_MS = 1000;

/** A part of the process that can be stuck: how long it has been (ms), and from when it counts as wedged. */
export interface StallWatch {
  stalledMs(): number;
  limitMs: number;
}

export interface Liveness {
  live: boolean;
  eventLoop: LoopDelay;
  /** What is wedged (none while live). */
  blocked: ('event_loop' | 'store')[];
}

/** Readiness checks that modules register for what they depend on (store, Redis). */
@Injectable()
export class HealthService implements OnModuleDestroy {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly stalls = new Map<'store', StallWatch>();
  private readonly loop = new EventLoopWatch();
  private drainStarted = false;

  onModuleDestroy(): void {
    this.loop.stop();
  }

  /** Watches a part that runs beside the event loop (the embedded store's thread) for a stall. */
  watchStall(name: 'store', watch: StallWatch): void {
    this.stalls.set(name, watch);
  }

  /** Whether the process serves: its event loop was not blocked lately, and no watched part is stuck. */
  liveness(): Liveness {
    const eventLoop = this.loop.delay();
    const blocked: Liveness['blocked'] = eventLoop.maxMs >= BLOCKED_LOOP_MS ? ['event_loop'] : [];
    for (const [name, watch] of this.stalls) if (watch.stalledMs() > watch.limitMs) blocked.push(name);
    return { live: blocked.length === 0, eventLoop, blocked };
  }

  /** From now on the process is going away: /ready answers 503 whatever the checks say. */
  startDraining(): void {
    this.drainStarted = true;
  }

  get draining(): boolean {
    return this.drainStarted;
  }

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async readiness(): Promise<{ ready: boolean; checks: Record<string, 'up' | 'down'> }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, (await settlesInTime(check())) ? 'up' : 'down'] as const),
    );
    return { ready: entries.every(([, s]) => s === 'up'), checks: Object.fromEntries(entries) };
  }
}

async function settlesInTime(p: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS)));
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
