import { type ConnectionStatus, useSocket } from '../socket/use-socket.js';

const LABEL: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** The socket's state, always in view: the whole demo depends on it. */
export function ConnectionPill() {
  const { status, error, reconnect } = useSocket();
  return (
    <div className="connection" role="status" aria-live="polite" title={error ?? undefined}>
      <span className={`connection__pill connection__pill--${status}`} data-status={status}>
        <span className="connection__dot" aria-hidden="true" />
        <span>
          <span className="visually-hidden">Connection: </span>
          {LABEL[status]}
        </span>
      </span>
      {status === 'offline' && (
        <button type="button" className="link-button" onClick={reconnect}>
          Retry
        </button>
      )}
    </div>
  );
}
