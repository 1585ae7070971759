import type { Transporter } from 'nodemailer';
import { type Db } from '../../store/database.js';

type TransportOptions = Parameters<typeof import('nodemailer').createTransport>[0];

/**
 * A nodemailer transport made by the first email: nodemailer is loaded then, so a gateway that sends
 * no email (or keeps none) never carries it.
 */
function lazyTransport(options: TransportOptions): { get: () => Promise<Transporter>; close: () => void } {
  let made: Promise<Transporter> | undefined;
  return {
    get: () => (made ??= import('nodemailer').then(({ createTransport }) => createTransport(options))),
    close: () => void made?.then((transporter) => transporter.close()),
  };
}

/** One email, ready to go. */
export interface OutgoingEmail {
  userId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** `<...@domain>`: the same for every try of one delivery or digest, so a resend is recognisable. */
  messageId: string;
  /** Where `List-Unsubscribe` points (and the footer's link). */
  unsubscribeUrl: string;
  /** How many notifications it carries. */
  notifications: number;
  /** `X-Realtime-Delivery`: the delivery or digest it is. */
  reference: string;
}

/** Sends an email; throws what the mail server answered (nodemailer's errors: `responseCode`, `response`). */
export interface MailTransport {
  /** What the start-up log says. */
  readonly description: string;
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

/** The message as nodemailer composes it: the same headers whether it goes out or into the mailbox. */
function message(email: OutgoingEmail) {
  return {
    from: email.from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: email.messageId,
    // RFC 2369 and RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click` to the link.
    list: { unsubscribe: email.unsubscribeUrl },
    headers: {
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'X-Realtime-Delivery': email.reference,
      // Automatic mail: no out-of-office replies to it (RFC 3834).
      'Auto-Submitted': 'auto-generated',
    },
  };
}

/**
 * SMTP through nodemailer's pooled transport (`smtp://` or `smtps://`, credentials in the URL): a
 * few kept-open connections, each answer bounded well inside the worker's per-delivery limit.
 */
export class SmtpTransport implements MailTransport {
  readonly description: string;
  private readonly transporter: ReturnType<typeof lazyTransport>;
  /** Sends in progress never exceed the pool: none waits inside nodemailer, where no limit applies. */
  private readonly slots = new Slots(CONNECTIONS, SLOT_WAIT_MS);

  constructor(url: string) {
    const parsed = new URL(url);
    this.description = `SMTP ${parsed.protocol}//${parsed.host}`;
    this.transporter = lazyTransport({
      url,
      pool: true,
      maxConnections: CONNECTIONS,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 15_000,
    });
  }

  async send(email: OutgoingEmail): Promise<void> {
    const release = await this.slots.take();
    try {
      await (await this.transporter.get()).sendMail(message(email));
    } finally {
      release();
    }
  }

  close(): void {
    this.transporter.close();
  }
}

const CONNECTIONS = 3;
/** A send that finds every connection busy this long is not sent now: it is tried again later. */
const SLOT_WAIT_MS = 10_000;

/** A counting semaphore whose wait is bounded. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(
    size: number,
    private readonly waitMs: number,
  ) {
    this.free = size;
  }

  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else {
      await new Promise<void>((resolve, reject) => {
        const granted = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(granted), 1);
          reject(new Error(`every SMTP connection was busy for ${this.waitMs / 1000} s`));
        }, this.waitMs);
        this.waiting.push(granted);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

/**
 * No SMTP server (`SMTP_URL` unset): each email is composed exactly as it would be sent (nodemailer's
 * stream transport) and kept in the store's `dev_mailbox`, where `GET /api/dev/mailbox` shows it.
 */
export class DevMailbox implements MailTransport {
  readonly description = 'the development mailbox in the store (SMTP_URL unset)';
  private readonly composer = lazyTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(private readonly db: Db) {}

  async send(email: OutgoingEmail): Promise<void> {
    const info = await (await this.composer.get()).sendMail(message(email));
    await this.db
      .insertInto('dev_mailbox')
      .values({
        user_id: email.userId,
        to_address: email.to,
        from_address: email.from,
        subject: email.subject,
        text_body: email.text,
        html_body: email.html,
        message_id: email.messageId,
        unsubscribe_url: email.unsubscribeUrl,
        notifications: email.notifications,
        raw: (info.message as Buffer).toString('utf8'),
      })
      .execute();
  }

  close(): void {
    this.composer.close();
  }
}
