import { useRef, useState } from 'react';
import { describeError } from '../gateway/failures.js';
import { useSignedIn } from '../session/session-context.js';
import { useToasts } from '../toasts/toast-context.js';
import { DEMO_CLASS, otherDemoUsers, sampleAnnouncement, sampleNotification } from './demo-users.js';
import { completeMission, type ServiceCall, sendNotification } from './service-api.js';
import { Card } from '../layout/card.js';

type Busy = null | 'self' | 'mission' | 'class' | `to:${string}`;

/** Buttons that call the gateway's service API, so its events can be watched arriving live. */
export function DemoControls() {
  const { userId, displayName } = useSignedIn();
  const { notify } = useToasts();
  const [busy, setBusy] = useState<Busy>(null);
  const [lastCall, setLastCall] = useState<ServiceCall | null>(null);
  const counter = useRef(0);

  const run = async (what: Exclude<Busy, null>, call: () => Promise<ServiceCall>) => {
    setBusy(what);
    try {
      setLastCall(await call());
    } catch (err) {
      notify({ tone: 'error', title: 'The call failed', message: describeError(err) });
    } finally {
      setBusy(null);
    }
  };

  const sendToSelf = () =>
    run('self', () => sendNotification({ userId, type: 'info', ...sampleNotification(counter.current++) }));
  const sendTo = (to: { userId: string; name: string }) =>
    run(`to:${to.userId}`, () =>
      sendNotification({
        userId: to.userId,
        type: 'message',
        title: `${displayName} says hi 👋`,
        message: `Sent from ${displayName}’s tab through the gateway.`,
        data: { from: userId },
      }),
    );
  // One notification per member, each with its own seq: every class member's bell, feed and toasts get it.
  const announce = () =>
    run('class', () =>
      sendNotification({
        groupId: DEMO_CLASS.groupId,
        type: 'announcement',
        ...sampleAnnouncement(counter.current++, displayName),
        data: { from: userId },
      }),
    );
  const mission = () => run('mission', () => completeMission(userId, displayName));

  return (
    <Card className="demo" titleId="demo-title" title="Try it">
      <div className="demo__buttons">
        <button type="button" className="button button--primary" onClick={sendToSelf} disabled={busy === 'self'}>
          Send me a notification
        </button>
        {otherDemoUsers(userId).map((u) => (
          <button
            key={u.userId}
            type="button"
            className="button"
            onClick={() => sendTo(u)}
            disabled={busy === `to:${u.userId}`}
          >
            Send to {u.name}
          </button>
        ))}
        <button type="button" className="button demo__announce" onClick={announce} disabled={busy === 'class'}>
          Announce to {DEMO_CLASS.label}
        </button>
        <button type="button" className="button button--accent" onClick={mission} disabled={busy === 'mission'}>
          Complete a mission <span className="button__extra">+50 XP</span>
        </button>
      </div>
      <p className="demo__explain">
        Each button calls the gateway’s HTTP API with a service token: this is what your backend would call.
      </p>
      <p className="demo__last-call" aria-live="polite">
        {lastCall ? (
          <>
            <code>
              {lastCall.method} {lastCall.path}
            </code>{' '}
            → <span className="demo__status">{lastCall.status}</span> in {lastCall.ms} ms; the socket events follow
            below.
          </>
        ) : (
          <span className="muted">Open a second tab as another user to see events cross between people.</span>
        )}
      </p>
    </Card>
  );
}
