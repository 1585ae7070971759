import { createHmac } from 'node:crypto';
import { type ClaimedDelivery, type DueNotification } from '../outbox.repository.js';
import { type OfflineSender, retryAfterMs, type SendResult } from './sender.js';

/** The header that signs each webhook POST. */
export const SIGNATURE_HEADER = 'x-realtime-signature';

/**
 * `X-Realtime-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe and Svix
 * sign theirs: a receiver recomputes it with the shared secret, compares in constant time, and
 * refuses a `t` too far from its clock (a replayed request).
 */
export function signWebhook(secret: string, body: string, at = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
  return `t=${at},v1=${mac}`;
}

/**
 * POSTs `{ event: "notification.offline", notification }` to `FALLBACK_WEBHOOK_URL`, signed when a
 * secret is set, with the delivery's id in `X-Realtime-Delivery` so a receiver can drop a repeat.
 * Redirects are not followed. 2xx: sent; 429 and 5xx or no answer: retried; any other: failed.
 */
export class WebhookSender implements OfflineSender {
  readonly channel = 'webhook';
  readonly skipWhenOnline = true;
  readonly delaySeconds = 0;

  constructor(
    private readonly url: string,
    private readonly secret: string | undefined,
    private readonly timeoutMs = 5000,
  ) {}

  async send(delivery: ClaimedDelivery, { notification }: DueNotification): Promise<SendResult> {
    const body = JSON.stringify({ event: 'notification.offline', notification });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-realtime-delivery': delivery.id,
    };
    if (this.secret) headers[SIGNATURE_HEADER] = signWebhook(this.secret, body);
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.body?.cancel();
    } catch (err) {
      return { status: 'retry', error: `webhook unreachable (${err instanceof Error ? err.message : String(err)})` };
    }
    if (res.ok) return { status: 'sent' };
    const error = `webhook answered ${res.status}`;
    if (res.status === 429 || res.status >= 500) {
      const after = retryAfterMs(res.headers.get('retry-after'));
      return { status: 'retry', error, ...(after !== undefined ? { retryAfterMs: after } : {}) };
    }
    return {
      status: 'failed',
      error: res.status >= 300 && res.status < 400 ? `${error} (redirects are not followed)` : error,
    };
  }
}
