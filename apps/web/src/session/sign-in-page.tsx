import { type FormEvent, useState } from 'react';
import { describeError } from '../gateway/failures.js';
import { DEMO_USERS } from '../demo/demo-users.js';
import { Avatar } from '../layout/avatar.js';
import { useSession } from './session-context.js';

/** One click as a demo user, or any name: the server mints a development token for it. */
export function SignInPage() {
  const { signIn } = useSession();
  const [name, setName] = useState('');
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const start = async (key: string, displayName: string, userId?: string) => {
    setPending(key);
    setError(null);
    try {
      await signIn(displayName, userId);
    } catch (err) {
      setError(describeError(err));
      setPending(null);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (trimmed) void start('custom', trimmed);
  };

  return (
    <main className="sign-in">
      <div className="sign-in__panel">
        <p className="eyebrow">Realtime notification gateway</p>
        <h1 className="sign-in__title">Notifications, XP and leaderboards, live in every tab.</h1>
        <p className="sign-in__lead">
          Pick a demo user. Then open a second tab as someone else and watch events travel between you.
        </p>

        <ul className="demo-users" aria-label="Demo users">
          {DEMO_USERS.map((u) => (
            <li key={u.userId}>
              <button
                type="button"
                className="demo-user"
                onClick={() => void start(u.userId, u.name, u.userId)}
                disabled={pending !== null}
              >
                <Avatar id={u.userId} name={u.name} size="lg" />
                <span className="demo-user__text">
                  <span className="demo-user__name">Sign in as {u.name}</span>
                  <span className="demo-user__tagline">{pending === u.userId ? 'Signing in…' : u.tagline}</span>
                </span>
                <span className="demo-user__arrow" aria-hidden="true">
                  →
                </span>
              </button>
            </li>
          ))}
        </ul>

        <form className="sign-in__form" onSubmit={submit}>
          <label htmlFor="sign-in-name" className="sign-in__label">
            Or use any name
          </label>
          <div className="sign-in__row">
            <input
              id="sign-in-name"
              className="input"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="e.g. Margaret"
              maxLength={64}
              autoComplete="off"
            />
            <button type="submit" className="button button--primary" disabled={!name.trim() || pending !== null}>
              {pending === 'custom' ? 'Signing in…' : 'Sign in'}
            </button>
          </div>
        </form>

        {error && (
          <p className="inline-error" role="alert">
            {error}
          </p>
        )}
        <p className="sign-in__footnote">
          Development tokens from <code>POST /api/dev/token</code>; each tab keeps its own session.
        </p>
      </div>
    </main>
  );
}
