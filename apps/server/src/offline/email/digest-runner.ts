import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { outcomeOf, quietOutcome, sendWithin, skipReason } from '../decisions.js';
import { type ClaimedDelivery, type DueNotification, type Outcome, OutboxRepository } from '../outbox.repository.js';
import {
  type ClaimedDigest,
  type DigestItem,
  type DigestRules,
  EmailDigestsRepository,
} from './email-digests.repository.js';
import { EmailSender } from './email.sender.js';

/** The injection token of the email channel (always there: SMTP, or the development mailbox). */
export const EMAIL_SENDER = Symbol('EMAIL_SENDER');

/**
 * Email digests, run by the delivery worker: due emails join their user's open digest for their key
 * ({@link attach}); a digest whose window ended (or that is full) is claimed, closed and sent as one
 * message ({@link run}). At its sending, items read, deleted or turned off meanwhile drop out (recorded
 * with that reason); a digest left empty sends nothing; inside the user's quiet hours it waits.
 */
@Injectable()
export class DigestRunner {
  private readonly logger = new Logger('OfflineDelivery');
  private readonly rules: DigestRules;
  private readonly retryBaseMs: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly digests: EmailDigestsRepository,
    private readonly outbox: OutboxRepository,
    private readonly metrics: MetricsService,
    @Inject(EMAIL_SENDER) private readonly sender: EmailSender,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.rules = {
      windowSeconds: config.email.digestWindowSeconds,
      maxItems: config.email.digestMaxItems,
      maxAgeSeconds: config.offlineMaxAgeSeconds,
    };
    this.retryBaseMs = config.offlineRetryBaseSeconds * 1000;
    this.maxAgeMs = config.offlineMaxAgeSeconds * 1000;
  }

  /** Where email goes (SMTP, or the development mailbox). */
  get description(): string {
    return this.sender.description;
  }

  /** Closes the SMTP connections, once nothing is being sent. */
  close(): void {
    this.sender.close();
  }

  /** Whether this due email waits in a digest rather than going alone. */
  wants(d: ClaimedDelivery, due: DueNotification): boolean {
    return this.sender.digests(d, due);
  }

  /** Puts due emails into digests (their claims end); logs which digest each joined. */
  async attach(deliveries: readonly { delivery: ClaimedDelivery; due: DueNotification }[]): Promise<void> {
    if (deliveries.length === 0) return;
    const joined = await this.digests.attach(
      deliveries.map((d) => d.delivery),
      this.rules,
    );
    for (const { delivery: d, due } of deliveries) {
      const digest = joined.get(d.id);
      const what = `email to ${d.userId} (notification ${d.notificationId}, seq ${due.notification.seq})`;
      if (digest) this.logger.log(`${what}: waits in digest ${digest}`);
      else this.logger.log(`${what}: joined no digest (its digest is full, or its claim ended); claimed again`);
    }
  }

  /** Sends the digests that are due, up to `limit`; answers how many were claimed. */
  async run(limit: number): Promise<number> {
    const claimed = await this.digests.claim(limit);
    if (claimed.length === 0) return 0;
    const items = await this.digests.items(claimed.map((d) => d.id));
    const due = await this.outbox.notifications([...items.values()].flat().map((i) => i.notificationId));
    await Promise.all(claimed.map((digest) => this.send(digest, items.get(digest.id) ?? [], due)));
    return claimed.length;
  }

  private async send(digest: ClaimedDigest, items: DigestItem[], due: Map<string, DueNotification>): Promise<void> {
    const now = new Date();
    // An item is tried when its digest is: the digest's tries and deadline decide whether it expired.
    const decided = items.map((item) => {
      const d = due.get(item.notificationId);
      const asTried = { ...item, attempts: digest.attempts, deadline: digest.deadline };
      return { item, due: d, skip: skipReason(asTried, d, { skips: false, users: null }, now.getTime()) };
    });
    const live = decided.filter((x) => x.skip === null).map((x) => ({ item: x.item, due: x.due! }));
    const dropped = decided
      .filter((x) => x.skip !== null)
      .map((x) => ({ item: x.item, outcome: x.skip!, attempted: false }));

    let outcome: Outcome;
    let attempted = false;
    if (live.length === 0) {
      // Nothing left to send: the digest comes to what its items came to (read, if any was).
      const ends = dropped.map((x) => x.outcome);
      outcome = ends.find((o) => o.status === 'skipped' && o.reason === 'read') ??
        ends[0] ?? { status: 'skipped', reason: 'read' };
    } else {
      const quiet = quietOutcome({ channel: 'email', critical: false }, live[0]!.due, this.maxAgeMs, now);
      if (quiet) outcome = quiet;
      else {
        const notifications = live.map((x) => x.due.notification);
        const result = await sendWithin(
          () => this.sender.sendDigest(digest.id, digest.userId, live[0]!.due.address, notifications),
          this.sender.sendLimitMs,
        );
        attempted = !(result.status === 'skipped' && result.tried === false);
        outcome = outcomeOf(digest, result, this.retryBaseMs);
      }
    }
    // The items still in it share the digest's fate once it is settled; until then they wait in it.
    const recorded = [...dropped, ...live.map((x) => ({ item: x.item, outcome, attempted }))];
    let held: boolean;
    try {
      held = await this.digests.record(digest, outcome, attempted, recorded);
    } catch (err) {
      this.logger.error(`digest ${digest.id}: outcome not recorded (${(err as Error).message})`);
      return;
    }
    if (!held) {
      this.logger.warn(`digest ${digest.id}: its claim ended before the outcome was recorded; left to its holder`);
      return;
    }
    this.report(digest, outcome, attempted, live.length, recorded, due);
  }

  private report(
    digest: ClaimedDigest,
    outcome: Outcome,
    attempted: boolean,
    total: number,
    items: readonly { item: DigestItem; outcome: Outcome }[],
    due: Map<string, DueNotification>,
  ): void {
    const status = outcome.status === 'retry' ? 'retried' : outcome.status;
    this.metrics.emailDigests.inc({ status });
    const what = `email digest ${digest.id} to ${digest.userId}${digest.digestKey ? ` (key ${digest.digestKey})` : ''}`;
    const attempt = attempted ? `, attempt ${digest.attempts + 1}` : '';
    switch (outcome.status) {
      case 'sent':
        this.logger.log(`${what}: sent with ${total} notification${total === 1 ? '' : 's'}${attempt}`);
        break;
      case 'skipped':
        this.logger.log(`${what}: nothing left to send (its notifications: ${outcome.reason})`);
        break;
      case 'deferred':
        this.logger.log(`${what}: waits for quiet hours to end at ${outcome.at.toISOString()}`);
        break;
      case 'retry':
        this.logger.warn(`${what}: ${outcome.error}; retry at ${outcome.at.toISOString()}${attempt}`);
        break;
      case 'failed':
        this.logger.error(`${what}: failed${attempt}: ${outcome.error}`);
        break;
    }
    for (const { item, outcome: o } of items) {
      if (o.status === 'retry' || o.status === 'deferred') continue; // the digest's line says it
      const reason = o.status === 'skipped' ? o.reason : '';
      this.metrics.offlineDeliveries.inc({ channel: 'email', status: o.status, reason });
      const seq = due.get(item.notificationId)?.notification.seq;
      const line = `email to ${item.userId} (notification ${item.notificationId}${seq ? `, seq ${seq}` : ''})`;
      if (o.status === 'skipped') this.logger.log(`${line}: skipped (${o.reason}), left out of digest ${digest.id}`);
      else this.logger.log(`${line}: ${o.status} in digest ${digest.id}`);
    }
  }
}
