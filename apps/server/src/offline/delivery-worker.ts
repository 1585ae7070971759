import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { OFFLINE_SENDERS, type OfflineSender, type SendResult } from './channels/sender.js';
import { type ClaimedDelivery, type DueNotification, type Outcome, OutboxRepository } from './outbox.repository.js';

/** Deliveries claimed at once; a full batch is followed by the next at once. */
const BATCH = 32;
/** How often an idle worker looks for due deliveries (a local publish wakes it sooner). */
const POLL_MS = 1000;
/** The longest one delivery may take (every push of it, a 413's second try): well inside the claim's lease. */
const SEND_LIMIT_MS = 20_000;
/** How soon after a local publish with deliveries due at once the worker looks. */
const WAKE_MS = 20;
/** Back-off: never more than this between two tries. */
const BACKOFF_CAP_MS = 3600_000;
/** When presence cannot be asked (Redis away), a delivery that depends on it waits this long. */
const PRESENCE_RETRY_MS = 5000;

/**
 * How long after a failed try of a delivery tried `attempts` times before it the next comes: `baseMs`
 * doubling with each try, capped, spread over its upper half at random (so a cluster's retries of one
 * outage do not all come back at once).
 */
export function backoffMs(attempts: number, baseMs: number, random = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, baseMs * 2 ** Math.min(attempts, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The worker every process runs: it claims due offline deliveries (one process of a cluster gets
 * each: see OutboxRepository.claim), decides whether each is still wanted (read, deleted,
 * preferences, online), sends it on its channel, and records the outcome: sent, skipped with a
 * reason, retried with back-off (or after `Retry-After`), failed once its deadline has passed. A
 * process that dies holding a claim lets it go when the lease ends; shutdown finishes the sends in
 * flight and takes no more.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OfflineDelivery');
  private readonly senders: Map<string, OfflineSender>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** A wake-up is scheduled (see {@link wake}). */
  private waking = false;
  private readonly retryBaseMs: number;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly ws: WebSocketService,
    private readonly metrics: MetricsService,
    @Inject(OFFLINE_SENDERS) senders: OfflineSender[],
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.senders = new Map(senders.map((s) => [s.channel, s]));
    this.retryBaseMs = config.offlineRetryBaseSeconds * 1000;
  }

  onApplicationBootstrap(): void {
    if (this.senders.size === 0) return;
    this.logger.log(`offline channels: ${[...this.senders.keys()].join(', ')}`);
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Deliveries may be due now (a publish on this process): look at once. */
  wake(): void {
    if (this.stopped || this.senders.size === 0 || this.waking) return;
    if (this.running) return void (this.again = true);
    // A burst of publishes is one claim: they are looked at together, a few ms later.
    this.schedule(WAKE_MS);
    this.waking = true;
  }

  private schedule(ms: number): void {
    this.waking = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  private tick(): void {
    this.waking = false;
    if (this.running || this.stopped) return;
    let full = false;
    this.running = this.runOnce()
      .then((claimed) => void (full = claimed === BATCH))
      .catch((err: unknown) => this.logger.warn(`could not claim deliveries: ${message(err)}`))
      .finally(() => {
        this.running = null;
        if (this.stopped) return;
        const now = full || this.again;
        this.again = false;
        this.schedule(now ? 0 : POLL_MS);
      });
  }

  /** One batch: claimed, decided, sent and recorded. Answers how many were claimed. */
  private async runOnce(): Promise<number> {
    const claimed = await this.outbox.claim(BATCH, [...this.senders.keys()]);
    if (claimed.length === 0) return 0;
    const due = await this.outbox.notifications(claimed.map((d) => d.notificationId));
    let online: Set<string> | null;
    try {
      const ask = claimed.filter((d) => this.senders.get(d.channel)?.skipWhenOnline).map((d) => d.userId);
      online = await this.ws.connectedUsers([...new Set(ask)]);
    } catch (err) {
      this.logger.warn(`presence unknown (${message(err)}): deliveries that depend on it wait`);
      online = null;
    }
    for (const sender of this.senders.values()) {
      await sender.prepare?.(claimed.filter((d) => d.channel === sender.channel).map((d) => d.userId));
    }
    const results = await Promise.all(claimed.map((d) => this.handle(d, due.get(d.notificationId), online)));
    try {
      await this.outbox.record(results);
    } catch (err) {
      // The leases end and another turn tries again: at worst some are sent twice (see the README).
      this.logger.error(`outcomes of ${results.length} deliveries not recorded (${message(err)})`);
      return claimed.length;
    }
    for (const r of results) this.report(r.delivery, r.due, r.outcome, r.attempted);
    return claimed.length;
  }

  /** Decides and sends one delivery; answers what to record. */
  private async handle(d: ClaimedDelivery, due: DueNotification | undefined, online: Set<string> | null) {
    const sender = this.senders.get(d.channel);
    let outcome: Outcome;
    let attempted = false;
    const skip = this.skipReason(d, due, online, sender);
    if (skip) outcome = skip;
    else if (!sender || !due) outcome = { status: 'failed', error: `no ${d.channel} channel on this server` };
    else if (sender.skipWhenOnline && online === null) {
      outcome = { status: 'retry', error: 'presence unknown', at: new Date(Date.now() + PRESENCE_RETRY_MS) };
    } else {
      let result: SendResult;
      try {
        result = await withinLimit(sender.send(d, due), SEND_LIMIT_MS);
      } catch (err) {
        result = { status: 'retry', error: message(err) };
      }
      attempted = !(result.status === 'skipped' && result.tried === false);
      outcome = this.outcomeOf(d, result);
    }
    return { delivery: d, due, outcome, attempted };
  }

  private skipReason(
    d: ClaimedDelivery,
    due: DueNotification | undefined,
    online: Set<string> | null,
    sender: OfflineSender | undefined,
  ): Outcome | null {
    if (!due) return { status: 'skipped', reason: 'deleted' };
    if (due.notification.read) return { status: 'skipped', reason: 'read' };
    const channelOn = d.channel === 'webhook' ? true : due[d.channel];
    if (!d.critical && (!due.offline || !channelOn)) return { status: 'skipped', reason: 'preference' };
    if (Date.now() > d.deadline.getTime()) {
      return d.attempts === 0
        ? { status: 'skipped', reason: 'expired' }
        : { status: 'failed', error: 'not sent before its deadline (gave up)' };
    }
    if (sender?.skipWhenOnline && online?.has(d.userId)) return { status: 'skipped', reason: 'online' };
    return null;
  }

  /** A send's result as what is recorded: a retry that would come after the deadline is a failure. */
  private outcomeOf(d: ClaimedDelivery, result: SendResult): Outcome {
    if (result.status === 'sent') return { status: 'sent' };
    if (result.status === 'skipped') return { status: 'skipped', reason: result.reason };
    if (result.status === 'failed') return result;
    const at = Date.now() + (result.retryAfterMs ?? backoffMs(d.attempts, this.retryBaseMs));
    if (at > d.deadline.getTime()) return { status: 'failed', error: `${result.error} (gave up: past its deadline)` };
    return { status: 'retry', error: result.error, at: new Date(at) };
  }

  private report(d: ClaimedDelivery, due: DueNotification | undefined, outcome: Outcome, attempted: boolean): void {
    const status = outcome.status === 'retry' ? 'retried' : outcome.status;
    const reason = outcome.status === 'skipped' ? outcome.reason : '';
    this.metrics.offlineDeliveries.inc({ channel: d.channel, status, reason });
    const what = `${d.channel} to ${d.userId} (notification ${d.notificationId}${due ? `, seq ${due.notification.seq}` : ''})`;
    const attempt = attempted ? `, attempt ${d.attempts + 1}` : '';
    switch (outcome.status) {
      case 'sent':
        return this.logger.log(`${what}: sent${attempt}`);
      case 'skipped':
        return this.logger.log(`${what}: skipped (${outcome.reason})`);
      case 'retry':
        return this.logger.warn(`${what}: ${outcome.error}; retry at ${outcome.at.toISOString()}${attempt}`);
      case 'failed':
        return this.logger.error(`${what}: failed${attempt}: ${outcome.error}`);
    }
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** `work`, or a rejection once `ms` have passed (what it was doing goes on, unrecorded). */
function withinLimit<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}
