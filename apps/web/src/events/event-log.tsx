import type { RealtimeEvents } from '@realtime/client';
import { type ServerEventName, serverEventNames } from '@realtime/contracts';
import { useRealtimeClient } from '@realtime/react';
import { useEffect, useState } from 'react';
import { Card } from '../layout/card.js';
import { summarizeEvent } from './summarize-event.js';

interface LoggedEvent {
  id: number;
  direction: 'in' | 'out';
  event: string;
  summary: string;
  at: Date;
}

const MAX_EVENTS = 12;
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** The raw traffic of this tab's connection: every server event as the SDK receives it, and what it sends. */
export function EventLog() {
  const client = useRealtimeClient();
  const [events, setEvents] = useState<LoggedEvent[]>([]);

  useEffect(() => {
    let id = 0;
    const log = (direction: LoggedEvent['direction']) => (event: string, payload?: unknown) =>
      setEvents((list) =>
        [{ id: ++id, direction, event, summary: summarizeEvent(event, payload), at: new Date() }, ...list].slice(
          0,
          MAX_EVENTS,
        ),
      );
    const incoming = log('in');
    const listen = <E extends ServerEventName>(event: E) =>
      client.on(event, ((payload: unknown) => incoming(event, payload)) as RealtimeEvents[E]);
    const unsubscribe = serverEventNames.map(listen);
    // The SDK has no event for what it sends; its socket is exposed for diagnostics such as this log.
    const outgoing = log('out');
    client.socket.onAnyOutgoing(outgoing);
    return () => {
      unsubscribe.forEach((off) => off());
      client.socket.offAnyOutgoing(outgoing);
    };
  }, [client]);

  return (
    <Card
      className="events"
      titleId="events-title"
      title="Socket events"
      aside={<span className="card__hint">this tab</span>}
    >
      {events.length === 0 ? (
        <p className="muted">Events will appear here as the gateway sends them.</p>
      ) : (
        <ol className="event-log" data-testid="event-log">
          {events.map((e) => (
            <li key={e.id} className="event-log__row">
              <span className={`event-log__dir event-log__dir--${e.direction}`}>
                <span aria-hidden="true">{e.direction === 'in' ? '↓' : '↑'}</span>
                <span className="visually-hidden">{e.direction === 'in' ? 'received' : 'sent'}</span>
              </span>
              <code className="event-log__name">{e.event}</code>
              <span className="event-log__time">{timeFormat.format(e.at)}</span>
              {e.summary && <span className="event-log__summary">{e.summary}</span>}
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
