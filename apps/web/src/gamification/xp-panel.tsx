import { rankProgress } from './rank-progress.js';
import type { Achievement, useProfile } from './use-profile.js';
import { Card } from '../layout/card.js';

type ProfileState = ReturnType<typeof useProfile>;

const numberFormat = new Intl.NumberFormat();

function AchievementList({ achievements }: { achievements: Achievement[] }) {
  if (achievements.length === 0)
    return <p className="achievements__empty">No achievements yet. Complete a mission to start.</p>;
  return (
    <ul className="achievements" data-testid="achievements">
      {achievements.map((a) => (
        <li key={a.achievementId} className="achievement" title={a.description || undefined}>
          <span className="achievement__icon" aria-hidden="true">
            {a.icon || '🏅'}
          </span>
          <span className="achievement__title">{a.title}</span>
        </li>
      ))}
    </ul>
  );
}

/** XP, rank and the way to the next rank, updated live by `xp:gained` and `rank:updated`. */
export function XpPanel({ state }: { state: ProfileState }) {
  const { profile, error, lastGain } = state;

  if (!profile)
    return (
      <section className="card xp" aria-labelledby="xp-title">
        <h2 className="card__title" id="xp-title">
          Your progress
        </h2>
        {error ? (
          <div className="inline-error" role="alert">
            <p>{error}</p>
            <button type="button" className="button button--small" onClick={state.retry}>
              Try again
            </button>
          </div>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    );

  const progress = rankProgress(profile);
  const xpLabel = `${numberFormat.format(profile.xp)} XP`;
  return (
    <Card
      className="xp"
      titleId="xp-title"
      title="Your progress"
      aside={
        <span className="rank-badge" data-testid="rank">
          {profile.rank}
        </span>
      }
    >
      <p className="xp__total">
        <span data-testid="xp-total">{xpLabel}</span>
        {lastGain && (
          <span key={lastGain.key} className="xp__gain" aria-hidden="true">
            +{lastGain.amount}
          </span>
        )}
      </p>
      <div
        className="xp__bar"
        role="progressbar"
        aria-label={profile.nextRank ? `Progress to ${profile.nextRank}` : 'Top rank reached'}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(progress.percent)}
        aria-valuetext={`${xpLabel}, ${Math.round(progress.percent)}%`}
      >
        <span className="xp__fill" style={{ width: `${progress.percent}%` }} />
      </div>
      <p className="xp__caption">
        {profile.nextRank ? `${numberFormat.format(progress.remaining)} XP to ${profile.nextRank}` : 'Top rank reached'}
        {progress.span !== null && (
          <span className="muted">
            {' '}
            · {numberFormat.format(progress.earned)} / {numberFormat.format(progress.span)} in this rank
          </span>
        )}
      </p>
      <h3 className="card__section-title">Achievements</h3>
      <AchievementList achievements={profile.achievements} />
    </Card>
  );
}
