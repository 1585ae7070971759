import type { MailboxMessage } from '@realtime/contracts';
import { useRealtimeClient } from '@realtime/react';
import { useEffect, useRef, useState } from 'react';
import { describeFailure } from '../gateway/failures.js';
import { keepUnchanged, MAILBOX_POLL_MS } from './mailbox.js';
import { documentVisibility, type Poller, startPolling } from './poller.js';

interface Shown {
  /** Whose mailbox this is: a change of user shows nothing of the last one's. */
  userId: string;
  messages: MailboxMessage[] | null;
  error: string | null;
}

/**
 * One user's development mailbox (`GET /api/dev/mailbox`), newest first, polled every 2 s while the page is seen.
 * `absent` once the gateway answers 404: it is not a development server (no `DEV_TOKENS`), so there is nothing to
 * poll.
 */
export function useMailbox(userId: string) {
  const client = useRealtimeClient();
  const [shown, setShown] = useState<Shown>({ userId, messages: null, error: null });
  const [absent, setAbsent] = useState(false);
  const poller = useRef<Poller | null>(null);

  useEffect(() => {
    const current = startPolling(
      async (signal) => {
        const res = await client.http.devMailbox({ query: { userId }, signal });
        if (res.ok) {
          const fetched = res.body.messages;
          setShown((s) => ({
            userId,
            messages: keepUnchanged(s.userId === userId ? s.messages : null, fetched),
            error: null,
          }));
          return 'again';
        }
        if (res.status === 404) {
          setAbsent(true);
          return 'stop';
        }
        if (res.error.code !== 'ABORTED') {
          const error = describeFailure(res.error);
          // What was shown stays: the mailbox as last seen, under the error.
          setShown((s) => ({ userId, messages: s.userId === userId ? s.messages : null, error }));
        }
        return 'again';
      },
      { intervalMs: MAILBOX_POLL_MS, visibility: documentVisibility },
    );
    poller.current = current;
    return () => current.stop();
  }, [client, userId]);

  const mine = shown.userId === userId;
  return {
    messages: mine ? shown.messages : null,
    error: mine ? shown.error : null,
    absent,
    retry: () => poller.current?.refresh(),
  };
}
