import { Logger } from '@nestjs/common';
import { type Notification, type PushPayload } from '@realtime/contracts';
import { createHash } from 'node:crypto';
import type * as WebPushApi from 'web-push';
import { type PushTypeOptions } from '../../config/config.js';
import { type OfflineSender, retryAfterMs, type SendResult } from '../channels/sender.js';
import { type ClaimedDelivery, type DueNotification } from '../outbox.repository.js';
import { type StoredSubscription, type PushSubscriptionsRepository } from './push-subscriptions.repository.js';
import { type VapidKeys } from './vapid-keys.js';

/** The most a push payload carries (push services take about 4 KB after encryption). */
export const MAX_PUSH_PAYLOAD_BYTES = 3072;
/** A message shortened after the push service answered 413. */
const SHORT_MESSAGE_CHARS = 120;
/** A VAPID JWT is signed for this long, and signed again when less than an hour of it is left. */
const VAPID_TTL_SECONDS = 12 * 3600;

type Urgency = NonNullable<PushTypeOptions['urgency']>;

/** web-push and its crypto dependencies, loaded by the first push: a gateway that never pushes never pays for them. */
let library: Promise<WebPush> | undefined;
type WebPush = typeof WebPushApi;
// A CommonJS module whose functions Node's import() puts on the default export (module.exports) only.
const webPush = () => (library ??= import('web-push').then((m) => (m as unknown as { default: WebPush }).default));

/** What one subscription's send came to. */
type Attempt = { ok: true } | { ok: false; gone: true } | { ok: false; gone: false; result: SendResult };

/**
 * Web Push (RFC 8030, aes128gcm per RFC 8291, VAPID per RFC 8292) through the `web-push` library, to
 * every subscription of the user. Sent when one of them accepts; a 404 or 410 removes that
 * subscription; 429 waits for `Retry-After`; 413 is sent again with a shorter message; 400 and 403 are
 * a configuration problem (keys, payload) and fail at once; 5xx and no answer are retried. The
 * `Topic` is the notification's, so a push service that still holds an earlier copy replaces it.
 * `Urgency` and `TTL` come from the type's options (PUSH_TYPE_OPTIONS); critical ones are `high`.
 */
export class PushSender implements OfflineSender {
  readonly channel = 'push';
  readonly skipWhenOnline = true;
  private readonly logger = new Logger('WebPush');
  /** The signed VAPID `Authorization` per push service origin (the library signs a JWT per send). */
  private readonly authorizations = new Map<string, { header: string; until: number }>();

  constructor(
    private readonly keys: VapidKeys,
    private readonly subscriptions: PushSubscriptionsRepository,
    readonly delaySeconds: number,
    private readonly types: Record<string, PushTypeOptions> = {},
    private readonly timeoutMs = 5000,
  ) {}

  /** The subscriptions of the batch being sent, read in one statement (the worker sends one batch at a time). */
  private batch = new Map<string, StoredSubscription[]>();

  async prepare(userIds: readonly string[]): Promise<void> {
    this.batch = userIds.length > 0 ? await this.subscriptions.ofUsers(userIds) : new Map();
  }

  async send(delivery: ClaimedDelivery, { notification }: DueNotification): Promise<SendResult> {
    const subs = this.batch.get(delivery.userId) ?? [];
    if (subs.length === 0) return { status: 'skipped', reason: 'no_subscription', tried: false };
    // Kept by the push service until the delivery's deadline, or the type's TTL when shorter.
    const options = this.types[notification.type] ?? {};
    const untilDeadline = Math.max(0, Math.floor((delivery.deadline.getTime() - Date.now()) / 1000));
    const ttl = Math.min(untilDeadline, options.ttlSeconds ?? untilDeadline);
    const urgency = delivery.critical ? 'high' : (options.urgency ?? 'normal');
    const attempts = await Promise.all(subs.map((sub) => this.sendTo(sub, notification, urgency, ttl)));
    if (attempts.some((a) => a.ok)) return { status: 'sent' };
    const failures = attempts.flatMap((a) => (!a.ok && !a.gone ? [a.result] : []));
    if (failures.length === 0) return { status: 'skipped', reason: 'no_subscription' };
    const retries = failures.filter((f) => f.status === 'retry');
    if (retries.length > 0) {
      const waits = retries.map((r) => r.retryAfterMs).filter((ms): ms is number => ms !== undefined);
      const error = retries.map((r) => r.error).join('; ');
      return { status: 'retry', error, ...(waits.length > 0 ? { retryAfterMs: Math.max(...waits) } : {}) };
    }
    return { status: 'failed', error: failures.map((f) => (f.status === 'failed' ? f.error : f.status)).join('; ') };
  }

  private async sendTo(sub: StoredSubscription, n: Notification, urgency: Urgency, ttl: number): Promise<Attempt> {
    const lib = await webPush();
    const options = {
      vapidDetails: null as never,
      headers: { Authorization: this.authorization(lib, sub.endpoint) },
      TTL: ttl,
      urgency,
      topic: topicOf(n.id),
      timeout: this.timeoutMs,
    };
    let answer = await post(lib, sub, pushPayload(n), options);
    if (answer.status === 413) answer = await post(lib, sub, pushPayload(n, SHORT_MESSAGE_CHARS), options);
    const { status, error } = answer;
    if (status >= 200 && status < 300) return { ok: true };
    if (status === 404 || status === 410) {
      await this.subscriptions.gone(sub.endpoint);
      this.logger.log(`subscription gone (${status}), removed: ${originOf(sub.endpoint)}`);
      return { ok: false, gone: true };
    }
    if (status === 429) {
      const after = retryAfterMs(answer.retryAfter);
      return {
        ok: false,
        gone: false,
        result: { status: 'retry', error, ...(after !== undefined ? { retryAfterMs: after } : {}) },
      };
    }
    if (status === 0 || status >= 500) return { ok: false, gone: false, result: { status: 'retry', error } };
    if (status === 400 || status === 403) {
      this.logger.error(`${originOf(sub.endpoint)} refused a push (${error}): check the VAPID keys and subject`);
    }
    return { ok: false, gone: false, result: { status: 'failed', error } };
  }

  /** A VAPID `Authorization` for the endpoint's push service, signed again when it nears its end. */
  private authorization(lib: WebPush, endpoint: string): string {
    const audience = originOf(endpoint);
    const now = Math.floor(Date.now() / 1000);
    const cached = this.authorizations.get(audience);
    if (cached && cached.until - now > 3600) return cached.header;
    const { publicKey, privateKey, subject } = this.keys.current!;
    const until = now + VAPID_TTL_SECONDS;
    const header = lib.getVapidHeaders(audience, subject, publicKey, privateKey, 'aes128gcm', until).Authorization;
    this.authorizations.set(audience, { header, until });
    return header;
  }
}

/** One POST to the push service: its status (0: no answer) and what to record if it failed. */
async function post(
  lib: WebPush,
  sub: StoredSubscription,
  payload: string,
  options: WebPushApi.RequestOptions,
): Promise<{ status: number; error: string; retryAfter?: string }> {
  try {
    const res = await lib.sendNotification(sub, payload, options);
    return { status: res.statusCode, error: '' };
  } catch (err) {
    if (err instanceof lib.WebPushError) {
      const body = String(err.body ?? '').slice(0, 200);
      const retryAfter = (err.headers as Record<string, string | undefined>)['retry-after'];
      return {
        status: err.statusCode,
        error: `${originOf(sub.endpoint)} answered ${err.statusCode}${body ? `: ${body}` : ''}`,
        ...(retryAfter !== undefined ? { retryAfter } : {}),
      };
    }
    return {
      status: 0,
      error: `${originOf(sub.endpoint)} unreachable (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}

/**
 * The decrypted payload: what a service worker needs to show the notification, at most
 * {@link MAX_PUSH_PAYLOAD_BYTES} (the message is cut to fit; `maxMessage` cuts it further).
 */
export function pushPayload(n: Notification, maxMessage = Infinity): string {
  const url = typeof n.data?.url === 'string' && n.data.url.length <= 1000 ? n.data.url : undefined;
  const payload: PushPayload = {
    id: n.id,
    seq: n.seq,
    type: n.type,
    title: n.title,
    message: cut(n.message, maxMessage),
    ...(url ? { url } : {}),
  };
  let json = JSON.stringify(payload);
  // Each turn drops at least one code point (the excess in bytes is at least as many code points),
  // from the message first, then the title: it ends.
  while (Buffer.byteLength(json) > MAX_PUSH_PAYLOAD_BYTES) {
    const over = Buffer.byteLength(json) - MAX_PUSH_PAYLOAD_BYTES;
    const message = [...payload.message].length;
    if (message > 1) payload.message = cut(payload.message, Math.max(1, message - over - 1));
    else payload.title = cut(payload.title, Math.max(1, [...payload.title].length - over - 1));
    json = JSON.stringify(payload);
  }
  return json;
}

/** A Topic (at most 32 URL-safe base64 characters) that is the same for every send of one notification. */
export const topicOf = (notificationId: string) =>
  createHash('sha256').update(notificationId).digest('base64url').slice(0, 32);

const cut = (text: string, chars: number) =>
  [...text].length <= chars ? text : `${[...text].slice(0, chars - 1).join('')}…`;

const originOf = (endpoint: string) => new URL(endpoint).origin;
