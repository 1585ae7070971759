import { Logger } from '@nestjs/common';
import { type Notification } from '@realtime/contracts';
import { type OfflineChannel } from './offline-channel.js';

export interface WebhookOptions {
  /** Delays before each retry, in ms; the attempt count is one more than its length. */
  retryDelaysMs?: number[];
  timeoutMs?: number;
}

/** POSTs `{ event: "notification.offline", notification }` as JSON, retried with back-off on failure. */
export class WebhookOfflineChannel implements OfflineChannel {
  readonly name = 'webhook';
  private readonly logger = new Logger('WebhookOfflineChannel');
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retryDelaysMs: number[];
  private readonly timeoutMs: number;

  constructor(
    private readonly url: string,
    options: WebhookOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? [500, 2000, 8000];
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  deliver(notification: Notification): Promise<void> {
    const task = this.send(notification).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
    return task;
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async send(notification: Notification): Promise<void> {
    const body = JSON.stringify({ event: 'notification.offline', notification });
    for (let attempt = 0; ; attempt++) {
      const failure = await this.post(body);
      if (failure === null) return;
      const delay = this.retryDelaysMs[attempt];
      if (delay === undefined) {
        this.logger.error(
          `gave up on notification ${notification.id} for ${notification.userId} after ${attempt + 1} attempts: ${failure}`,
        );
        return;
      }
      this.logger.warn(`notification ${notification.id}: ${failure}; retrying in ${delay}ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** null on a 2xx answer, else why not. */
  private async post(body: string): Promise<string | null> {
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.body?.cancel();
      return res.ok ? null : `webhook answered ${res.status}`;
    } catch (err) {
      return `webhook unreachable (${err instanceof Error ? err.message : String(err)})`;
    }
  }
}
