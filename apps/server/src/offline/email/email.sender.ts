import { type Notification } from '@realtime/contracts';
import { type EmailConfig } from '../../config/config.js';
import { type OfflineSender, type SendResult } from '../channels/sender.js';
import { type ClaimedDelivery, type DueNotification } from '../outbox.repository.js';
import { type MailTransport } from './mail-transport.js';
import { DIGEST_LIST_LIMIT, type EmailItem, renderEmail } from './templates.js';
import { type UnsubscribeLinks } from './unsubscribe-links.js';

/**
 * The email channel: one notification alone (critical, or a type without digests) or a digest of
 * several, rendered from the templates and sent over SMTP or into the development mailbox. A reply
 * of 5xx (a recipient refused, a bounce at the door) fails it with the server's words; anything else
 * (4xx, no connection, a timeout) is tried again.
 */
export class EmailSender implements OfflineSender {
  readonly channel = 'email';
  readonly skipWhenOnline = false;
  readonly delaySeconds: number;
  /**
   * A send waits at most 10 s for one of the SMTP connections, then has nodemailer's own limits
   * (connection, greeting, 15 s of silence): this bounds the whole, inside the claim's 60 s lease.
   */
  readonly sendLimitMs = 45_000;
  /** The right-hand side of every Message-ID: the sender's domain. */
  private readonly domain: string;

  constructor(
    readonly config: EmailConfig,
    private readonly transport: MailTransport,
    private readonly links: UnsubscribeLinks,
  ) {
    this.delaySeconds = config.delaySeconds;
    this.domain = /@([^>\s]+)>?\s*$/.exec(config.from)?.[1] ?? new URL(config.appUrl).hostname;
  }

  get description(): string {
    return this.transport.description;
  }

  close(): void {
    this.transport.close();
  }

  delayFor(type: string): number {
    return this.config.types[type]?.delaySeconds ?? this.config.delaySeconds;
  }

  /** Whether this due email waits in a digest: digests on, not critical, its type not excepted. */
  digests(d: ClaimedDelivery, due: DueNotification): boolean {
    return (
      !d.critical && this.config.digestWindowSeconds > 0 && this.config.types[due.notification.type]?.digest !== false
    );
  }

  send(d: ClaimedDelivery, due: DueNotification): Promise<SendResult> {
    return this.deliver(`delivery-${d.id}`, due.notification.userId, due.address, [due.notification]);
  }

  /** One email for the notifications of a digest (oldest first): the first ten listed, the exact total said. */
  sendDigest(digestId: string, userId: string, address: string | null, notifications: Notification[]) {
    return this.deliver(`digest-${digestId}`, userId, address, notifications);
  }

  private async deliver(
    reference: string,
    userId: string,
    to: string | null,
    notifications: Notification[],
  ): Promise<SendResult> {
    if (!to) return { status: 'skipped', reason: 'no_address', tried: false };
    const listed = notifications.slice(0, DIGEST_LIST_LIMIT);
    // The link turns off the types the email names (those it lists): what its footer says.
    const unsubscribeUrl = this.links.url(this.config.publicUrl, { userId, types: listed.map((n) => n.type) });
    const rendered = renderEmail({
      items: listed.map((n) => this.item(n)),
      total: notifications.length,
      appUrl: this.config.appUrl,
      unsubscribeUrl,
    });
    try {
      await this.transport.send({
        ...rendered,
        userId,
        from: this.config.from,
        to,
        // The installation's tag keeps ids unique across stores that count digests from 1 alike.
        messageId: `<${reference}.${this.links.installTag}@${this.domain}>`,
        unsubscribeUrl,
        notifications: notifications.length,
        reference,
      });
      return { status: 'sent' };
    } catch (err) {
      return smtpResult(err);
    }
  }

  private item(n: Notification): EmailItem {
    return { title: n.title, message: n.message, type: n.type, createdAt: n.createdAt, url: this.link(n) };
  }

  /** Where a click leads: the notification's `data.url` when it is an http(s) URL or a path, else the app. */
  private link(n: Notification): string {
    const url = n.data?.url;
    if (typeof url !== 'string' || url.length > 2000) return this.config.appUrl;
    try {
      const resolved = new URL(url, `${this.config.appUrl}/`);
      return resolved.protocol === 'https:' || resolved.protocol === 'http:' ? resolved.href : this.config.appUrl;
    } catch {
      return this.config.appUrl;
    }
  }
}

/** nodemailer's codes for a refused envelope (MAIL FROM, RCPT TO) and a refused message (DATA). */
const REFUSALS = new Set(['EENVELOPE', 'EMESSAGE']);

/**
 * What a failed send comes to: a 5xx refusal of the recipient or the message is final, with the
 * server's reply; anything else (4xx, no connection, a timeout, a 5xx to the login or the greeting,
 * which an operator fixes) is tried again.
 */
export function smtpResult(err: unknown): SendResult {
  const { responseCode, response, message, code } = err as {
    responseCode?: number;
    response?: string;
    message?: string;
    code?: string;
  };
  const reply = response ?? message ?? String(err);
  if (typeof responseCode === 'number' && responseCode >= 500 && REFUSALS.has(code ?? '')) {
    return { status: 'failed', error: reply };
  }
  return { status: 'retry', error: code && !reply.includes(code) ? `${code}: ${reply}` : reply };
}
