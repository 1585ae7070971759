import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void>;

const CHECK_TIMEOUT_MS = 2000;

/** Readiness checks that modules register for what they depend on (store, Redis). */
@Injectable()
export class HealthService {
  private readonly checks = new Map<string, ReadinessCheck>();
  private drainStarted = false;

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
