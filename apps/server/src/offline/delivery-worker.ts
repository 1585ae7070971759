import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { OFFLINE_SENDERS, type OfflineSender } from './channels/sender.js';
import { errorMessage as message, outcomeOf, quietOutcome, sendWithin, skipReason } from './decisions.js';
import { DigestRunner } from './email/digest-runner.js';
import { type ClaimedDelivery, type DueNotification, type Outcome, OutboxRepository } from './outbox.repository.js';

/** A delivery's decision: an outcome to record, or (an email) a place in a digest. */
type Decision = Outcome | { status: 'digest' };

/** Deliveries claimed at once; a full batch is followed by the next at once. */
const BATCH = 32;
/** How often an idle worker looks for due deliveries (a local publish wakes it sooner). */
const POLL_MS = 1000;
/** How soon after a local publish with deliveries due at once the worker looks. */
const WAKE_MS = 20;
/** When presence cannot be asked (Redis away), a delivery that depends on it waits this long. */
const PRESENCE_RETRY_MS = 5000;

/**
 * The worker every process runs: it claims due offline deliveries (one process of a cluster gets
 * each: see OutboxRepository.claim), decides whether each is still wanted (read, deleted,
 * preferences, online, an address), holds it through the user's quiet hours, sends it on its channel
 * or puts an email into its digest, and records the outcome: sent, skipped with a reason, retried
 * with back-off (or after `Retry-After`), failed once its deadline has passed. Each turn also sends
 * the digests that are due (DigestRunner). A process that dies holding a claim lets it go when the
 * lease ends; shutdown finishes the sends in flight and takes no more.
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
  private readonly maxAgeMs: number;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly ws: WebSocketService,
    private readonly metrics: MetricsService,
    private readonly digests: DigestRunner,
    @Inject(OFFLINE_SENDERS) senders: OfflineSender[],
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.senders = new Map(senders.map((s) => [s.channel, s]));
    this.retryBaseMs = config.offlineRetryBaseSeconds * 1000;
    this.maxAgeMs = config.offlineMaxAgeSeconds * 1000;
  }

  onApplicationBootstrap(): void {
    if (this.senders.size === 0) return;
    this.logger.log(
      `offline channels: ${[...this.senders.keys()].join(', ')}; email goes to ${this.digests.description}`,
    );
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.digests.close();
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

  /** One turn: a batch of deliveries claimed, decided, sent and recorded, then the digests due. */
  private async runOnce(): Promise<number> {
    const claimed = await this.deliveries();
    const digests = this.senders.has('email') ? await this.digests.run(BATCH) : 0;
    return Math.max(claimed, digests);
  }

  /** Answers how many deliveries were claimed. */
  private async deliveries(): Promise<number> {
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
    const decided = await Promise.all(claimed.map((d) => this.handle(d, due.get(d.notificationId), online)));
    const results = decided.flatMap((r) => (r.outcome.status === 'digest' ? [] : [{ ...r, outcome: r.outcome }]));
    const toDigests = decided.flatMap((r) =>
      r.outcome.status === 'digest' ? [{ delivery: r.delivery, due: r.due! }] : [],
    );
    try {
      await this.outbox.record(results);
      await this.digests.attach(toDigests);
    } catch (err) {
      // The leases end and another turn tries again: at worst some are sent twice (see the README).
      this.logger.error(`outcomes of ${claimed.length} deliveries not recorded (${message(err)})`);
      return claimed.length;
    }
    for (const r of results) this.report(r.delivery, r.due, r.outcome, r.attempted);
    return claimed.length;
  }

  /** Decides and sends one delivery; answers what to record. */
  private async handle(d: ClaimedDelivery, due: DueNotification | undefined, online: Set<string> | null) {
    const sender = this.senders.get(d.channel);
    let outcome: Decision;
    let attempted = false;
    const skip = skipReason(d, due, { skips: sender?.skipWhenOnline ?? false, users: online });
    if (skip) outcome = skip;
    else if (!sender || !due) outcome = { status: 'failed', error: `no ${d.channel} channel on this server` };
    else if (sender.skipWhenOnline && online === null) {
      outcome = { status: 'retry', error: 'presence unknown', at: new Date(Date.now() + PRESENCE_RETRY_MS) };
    } else {
      // A digest waits through quiet hours as a whole (see DigestRunner); anything else waits here.
      const digested = d.channel === 'email' && this.digests.wants(d, due);
      const quiet = digested ? null : quietOutcome(d, due, this.maxAgeMs);
      if (digested) outcome = { status: 'digest' };
      else if (quiet) outcome = quiet;
      else {
        const result = await sendWithin(() => sender.send(d, due), sender.sendLimitMs);
        attempted = !(result.status === 'skipped' && result.tried === false);
        outcome = outcomeOf(d, result, this.retryBaseMs);
      }
    }
    return { delivery: d, due, outcome, attempted };
  }

  private report(d: ClaimedDelivery, due: DueNotification | undefined, outcome: Outcome, attempted: boolean): void {
    const status = outcome.status === 'retry' ? 'retried' : outcome.status;
    const reason = outcome.status === 'skipped' ? outcome.reason : '';
    this.metrics.offlineDeliveries.inc({ channel: d.channel, status, reason });
    const what = `${d.channel} to ${d.userId} (notification ${d.notificationId}${due ? `, seq ${due.notification.seq}` : ''})`;
    const attempt = attempted ? `, attempt ${d.attempts + 1}` : '';
    switch (outcome.status) {
      case 'deferred':
        return this.logger.log(`${what}: waits for quiet hours to end at ${outcome.at.toISOString()}`);
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
