import { Avatar } from '../layout/avatar.js';
import type { useLeaderboard } from './use-leaderboard.js';
import { Card } from '../layout/card.js';

type LeaderboardState = ReturnType<typeof useLeaderboard>;

const numberFormat = new Intl.NumberFormat();
const medal = ['🥇', '🥈', '🥉'];

interface Props {
  state: LeaderboardState;
  userId: string;
  /** Tells the boards apart: `leaderboard` (global) or e.g. `class-leaderboard`; the list's test id and title id. */
  id: string;
  title: string;
  /** Who sees it update, beside the title. */
  audience: string;
}

/** A live board: the global one, or a group's (the same rows, its members only). */
export function LeaderboardPanel({ state, userId, id, title, audience }: Props) {
  const { entries, error } = state;
  return (
    <Card
      className="leaderboard-card"
      titleId={`${id}-title`}
      title={title}
      aside={<span className="card__hint">{audience}</span>}
    >
      {error && !entries && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {!error && !entries && <p className="muted">Loading…</p>}
      {entries?.length === 0 && <p className="muted">Nobody has XP yet. Complete a mission to take first place.</p>}
      {entries && entries.length > 0 && (
        <ol className="leaderboard" data-testid={id}>
          {entries.map((e) => {
            const me = e.userId === userId;
            const name = e.displayName ?? e.userId;
            return (
              <li
                key={e.userId}
                className={`leaderboard__row${me ? ' leaderboard__row--me' : ''}`}
                data-user-id={e.userId}
                aria-current={me ? 'true' : undefined}
              >
                <span className="leaderboard__position">{medal[e.position - 1] ?? e.position}</span>
                <Avatar id={e.userId} name={name} size="sm" />
                <span className="leaderboard__name">
                  {name}
                  {me && <span className="you-tag">you</span>}
                </span>
                <span key={e.xp} className="leaderboard__xp" data-testid="leaderboard-xp">
                  {numberFormat.format(e.xp)} XP
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </Card>
  );
}
