import type { MailboxMessage } from '@realtime/contracts';
import { useMemo, useState } from 'react';
import { Card } from '../layout/card.js';
import { relativeTime } from '../notifications/relative-time.js';
import { useNow } from '../notifications/use-now.js';
import { useSignedIn } from '../session/session-context.js';
import { previewDocument } from './email-preview.js';
import { httpUrl, mailboxOwners, notificationsLabel } from './mailbox.js';
import { useMailbox } from './use-mailbox.js';

/** The HTML body in a sandboxed frame (no script, no same-origin access, no navigation out), then the text body. */
function MailBody({ message: m }: { message: MailboxMessage }) {
  const preview = useMemo(() => previewDocument(m.html), [m.html]);
  const unsubscribe = httpUrl(m.unsubscribeUrl);
  return (
    <div className="mail__body" id={`mail-${m.id}`}>
      <p className="mail__headers">
        From <span className="mail__address">{m.from}</span>
      </p>
      <iframe className="mail__html" title={`HTML body of “${m.subject}”`} sandbox="" srcDoc={preview} />
      <h3 className="card__section-title">Text body</h3>
      <pre className="mail__text" data-testid="mail-text">
        {m.text}
      </pre>
      {unsubscribe && (
        <p className="mail__links">
          <a href={unsubscribe} target="_blank" rel="noreferrer">
            Its unsubscribe page
          </a>{' '}
          <span className="muted">(List-Unsubscribe, one click)</span>
        </p>
      )}
    </div>
  );
}

/**
 * The development mailbox of a demo user: what the gateway emails while it has no SMTP server, polled while the page
 * is seen. Not there (404) on a gateway that is not a development server: then the panel is not either.
 */
export function MailboxPanel() {
  const { userId, displayName } = useSignedIn();
  const owners = mailboxOwners({ userId, displayName });
  const [owner, setOwner] = useState(userId);
  const [openId, setOpenId] = useState<string | null>(null);
  const { messages, error, absent, retry } = useMailbox(owner);
  const now = useNow(30_000);
  if (absent) return null;

  const ownerName = owners.find((o) => o.userId === owner)?.name ?? owner;
  return (
    <Card
      className="mailbox"
      titleId="mailbox-title"
      title="Mailbox (development)"
      aside={
        <div className="mailbox__owner">
          <label htmlFor="mailbox-owner">Mailbox of</label>
          <select
            id="mailbox-owner"
            className="select"
            value={owner}
            onChange={(e) => {
              setOwner(e.target.value);
              setOpenId(null);
            }}
          >
            {owners.map((o) => (
              <option key={o.userId} value={o.userId}>
                {o.you ? `${o.name} (you)` : o.name}
              </option>
            ))}
          </select>
        </div>
      }
    >
      <p className="mailbox__hint">
        Emails are sent 30 s after an unread notification, and batched: those due within 30 s go as one digest (critical
        ones at once). With no SMTP server, the gateway keeps them here.
      </p>
      {error && (
        <div className="inline-error" role="alert">
          <p>{error}</p>
          <button type="button" className="button button--small" onClick={retry}>
            Try again
          </button>
        </div>
      )}
      {!error && !messages && <p className="muted">Loading…</p>}
      {messages?.length === 0 && (
        <div className="mailbox__empty">
          <p className="mailbox__empty-title">No email for {ownerName} yet</p>
          <p>
            Emails go to users who have signed in once (the address is in their token), for what they have not read.
          </p>
        </div>
      )}
      {messages && messages.length > 0 && (
        <ul className="mailbox__list" data-testid="mailbox">
          {messages.map((m) => {
            const open = m.id === openId;
            return (
              <li key={m.id} className={`mail${open ? ' mail--open' : ''}`} data-testid="mail">
                <button
                  type="button"
                  className="mail__summary"
                  aria-expanded={open}
                  aria-controls={open ? `mail-${m.id}` : undefined}
                  onClick={() => setOpenId(open ? null : m.id)}
                >
                  <span className="mail__subject" data-testid="mail-subject">
                    {m.subject}
                  </span>
                  <span
                    className={`mail__count${m.notifications > 1 ? ' mail__count--digest' : ''}`}
                    data-testid="mail-count"
                  >
                    {notificationsLabel(m.notifications)}
                  </span>
                  <span className="mail__meta">
                    to {m.to}
                    <span aria-hidden="true"> · </span>
                    <time dateTime={m.sentAt} title={new Date(m.sentAt).toLocaleString()}>
                      {relativeTime(m.sentAt, now)}
                    </time>
                  </span>
                </button>
                {open && <MailBody message={m} />}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
