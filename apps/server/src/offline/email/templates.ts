/** One notification as an email shows it. */
export interface EmailItem {
  title: string;
  message: string;
  type: string;
  createdAt: string;
  /** Where a click leads. */
  url: string;
}

/** What an email says, as text and as HTML. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** A digest lists at most this many; its subject and footer say the exact total. */
export const DIGEST_LIST_LIMIT = 10;
/** A message in an email: longer ones are cut (the app has the whole). */
const MESSAGE_CHARS = 500;
const SUBJECT_CHARS = 150;

/** HTML that is already safe: only what the template itself wrote. */
class Safe {
  constructor(readonly value: string) {}
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The HTML template tag: every interpolated value is escaped unless it is {@link Safe} (made by this
 * tag), so a field a publisher or user gave can never become markup.
 */
function html(strings: TemplateStringsArray, ...values: (string | number | Safe | Safe[])[]): Safe {
  let out = strings[0]!;
  values.forEach((v, i) => {
    const parts = Array.isArray(v) ? v : [v];
    out += parts.map((p) => (p instanceof Safe ? p.value : escapeHtml(String(p)))).join('') + strings[i + 1]!;
  });
  return new Safe(out);
}

const WHEN = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** `7 Dec 2026, 17:42 UTC`: when a notification was sent, as a person reads it. */
const when = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${WHEN.format(date)} UTC`;
};

/** One line, at most `max` characters (code points), an ellipsis when cut. */
function clip(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * The email of one notification, or the digest of several (`items`: the first up to
 * {@link DIGEST_LIST_LIMIT} of `total`, oldest first).
 */
export function renderEmail(input: {
  items: readonly EmailItem[];
  total: number;
  appUrl: string;
  unsubscribeUrl: string;
}): RenderedEmail {
  const { items, total, appUrl, unsubscribeUrl } = input;
  const single = total === 1;
  const subject = single ? clip(items[0]!.title, SUBJECT_CHARS) : `${total} new notifications`;
  const more = total - items.length;
  const unsubscribeWhat = new Set(items.map((i) => i.type)).size === 1 ? `"${items[0]!.type}"` : 'these';

  const text = [
    single ? '' : `You have ${total} new notifications.\n`,
    ...items.map((i) => `${clip(i.title, SUBJECT_CHARS)}\n${clip(i.message, MESSAGE_CHARS)}\n${i.url}\n`),
    more > 0 ? `...and ${more} more: ${appUrl}\n` : '',
    '--',
    `Open the app: ${appUrl}`,
    `Stop emails about ${unsubscribeWhat} notifications: ${unsubscribeUrl}`,
    '',
  ]
    .filter((line, i) => i > 0 || line !== '')
    .join('\n');

  const rows = items.map(
    (i) =>
      html`<tr>
        <td style="padding:12px 0;border-bottom:1px solid #e5e7eb">
          <a href="${i.url}" style="color:#111827;font-weight:600;text-decoration:none"
            >${clip(i.title, SUBJECT_CHARS)}</a
          >
          <div style="color:#374151;margin-top:4px">${clip(i.message, MESSAGE_CHARS)}</div>
          <div style="color:#6b7280;font-size:12px;margin-top:4px">${i.type} · ${when(i.createdAt)}</div>
        </td>
      </tr>`,
  );
  const body = html`<!doctype html>
    <html>
      <head>
        <meta charset="utf-8" />
        <title>${subject}</title>
      </head>
      <body style="font-family:system-ui,sans-serif;max-width:560px;margin:0 auto;padding:16px;color:#111827">
        ${single ? html`` : html`<h1 style="font-size:18px">You have ${total} new notifications</h1>`}
        <table role="presentation" style="width:100%;border-collapse:collapse">
          ${rows}
        </table>
        ${more > 0 ? html`<p><a href="${appUrl}">…and ${more} more</a></p>` : html``}
        <p style="color:#6b7280;font-size:12px;margin-top:24px">
          <a href="${appUrl}">Open the app</a> ·
          <a href="${unsubscribeUrl}">Stop emails about ${unsubscribeWhat} notifications</a>
        </p>
      </body>
    </html>`;
  return { subject, text, html: body.value };
}
