import { useNotifications } from '@realtime/react';
import { DemoControls } from '../demo/demo-controls.js';
import { DEMO_CLASS } from '../demo/demo-users.js';
import { useClassMembership } from '../demo/use-class-membership.js';
import { EventLog } from '../events/event-log.js';
import { LeaderboardPanel } from '../gamification/leaderboard-panel.js';
import { useLeaderboard } from '../gamification/use-leaderboard.js';
import { useProfile } from '../gamification/use-profile.js';
import { XpPanel } from '../gamification/xp-panel.js';
import { MailboxPanel } from '../mailbox/mailbox-panel.js';
import { NotificationBell } from '../notifications/notification-bell.js';
import { NotificationFeed } from '../notifications/notification-feed.js';
import { useNotificationToasts } from '../notifications/use-notification-toasts.js';
import { PreferencesPanel } from '../preferences/preferences-panel.js';
import { usePreferences } from '../preferences/use-preferences.js';
import { useSignedIn } from '../session/session-context.js';
import { AppHeader } from './app-header.js';

/** The signed-in page; every hook here subscribes to the client before the provider connects it. */
export function Dashboard() {
  const { userId } = useSignedIn();
  const feed = useNotifications();
  const profile = useProfile();
  const leaderboard = useLeaderboard();
  const membership = useClassMembership(userId);
  const classBoard = useLeaderboard({ groupId: DEMO_CLASS.groupId, ready: membership.joined });
  const preferences = usePreferences();
  useNotificationToasts();

  return (
    <>
      <AppHeader bell={<NotificationBell />} />
      <main className="dashboard">
        <div className="dashboard__main">
          <DemoControls />
          <PreferencesPanel state={preferences} />
          <NotificationFeed feed={feed} />
        </div>
        <aside className="dashboard__side" aria-label="Progress and leaderboards">
          <XpPanel state={profile} />
          <LeaderboardPanel
            state={leaderboard}
            userId={userId}
            id="leaderboard"
            title="Global leaderboard"
            audience="live for everyone"
          />
          <LeaderboardPanel
            state={{ entries: classBoard.entries, error: classBoard.error ?? membership.error }}
            userId={userId}
            id="class-leaderboard"
            title={`${DEMO_CLASS.label} leaderboard`}
            audience="live for its members"
          />
          <MailboxPanel />
          <EventLog />
        </aside>
      </main>
    </>
  );
}
