import type { ReactNode } from 'react';
import { useSignedIn } from '../session/session-context.js';
import { Avatar } from './avatar.js';
import { ConnectionPill } from './connection-pill.js';

/** Brand, connection status, the bell (passed in) and who is signed in. */
export function AppHeader({ bell }: { bell: ReactNode }) {
  const { userId, displayName, signOut } = useSignedIn();
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <a className="brand" href="/" aria-label="Realtime gateway demo, home">
          <span className="brand__mark" aria-hidden="true" />
          <span className="brand__name">Realtime gateway</span>
          <span className="brand__tag">demo</span>
        </a>
        <div className="app-header__actions">
          <ConnectionPill />
          {bell}
          <div className="user-chip">
            <Avatar id={userId} name={displayName} size="sm" />
            <span className="user-chip__name" data-testid="signed-in-user">
              {displayName}
            </span>
          </div>
          <button type="button" className="button button--ghost button--small" onClick={signOut}>
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}
