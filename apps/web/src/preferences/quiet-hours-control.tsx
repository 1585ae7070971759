import type { QuietHours } from '@realtime/contracts';
import { type FormEvent, useMemo, useState } from 'react';
import { useNow } from '../notifications/use-now.js';
import {
  defaultQuietHours,
  describeQuietHours,
  isQuietAt,
  localTimeZone,
  quietHoursProblem,
  sameQuietHours,
  supportedTimeZones,
  timeZoneOptions,
} from './quiet-hours.js';
import type { usePreferences } from './use-preferences.js';

type PreferencesState = ReturnType<typeof usePreferences>;

/**
 * Quiet hours: a switch that saves at once (on: the hours last used, or the night in this browser's zone; off:
 * none), and, while on, the hours and time zone, saved together with "Save". Live across tabs like the rest.
 */
export function QuietHoursControl({ state }: { state: PreferencesState }) {
  const saved = state.quietHours;
  // Edits not saved yet; null while the fields show what is saved.
  const [draft, setDraft] = useState<QuietHours | null>(null);
  // What turning them on again brings back.
  const [lastUsed, setLastUsed] = useState<QuietHours | null>(null);
  const [saving, setSaving] = useState(false);
  const now = useNow(30_000);

  // Turned off (here or in another tab): no fields, whatever was being edited.
  const shown = saved && (draft ?? saved);
  const zone = shown?.timeZone ?? '';
  const zones = useMemo(() => timeZoneOptions(supportedTimeZones(), localTimeZone(), zone), [zone]);
  const dirty = draft !== null && !sameQuietHours(draft, saved);
  const problem = draft && dirty ? quietHoursProblem(draft) : null;
  const status = !saved ? 'off' : isQuietAt(saved, new Date(now)) ? 'quiet' : 'on';

  const turn = (on: boolean) => {
    setDraft(null);
    if (!on) setLastUsed(saved);
    void state.changeQuietHours(on ? (lastUsed ?? defaultQuietHours()) : null);
  };
  const edit = (field: keyof QuietHours, value: string) => {
    if (shown) setDraft({ ...shown, [field]: value });
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft || !dirty || problem) return;
    setSaving(true);
    const ok = await state.changeQuietHours(draft);
    setSaving(false);
    if (ok) setDraft(null);
  };

  return (
    <div className="quiet-hours" data-testid="quiet-hours" data-status={status}>
      <div className="quiet-hours__row">
        <div className="quiet-hours__text">
          <span className="quiet-hours__title" id="quiet-hours-title">
            Quiet hours
          </span>
          <span className="quiet-hours__line">
            <span className={`quiet-hours__badge quiet-hours__badge--${status}`}>
              {status === 'off' ? 'Off' : status === 'quiet' ? 'Quiet now' : 'On'}
            </span>
            <span id="quiet-hours-detail">
              {saved
                ? `Push and email wait from ${describeQuietHours(saved)}, then go; critical ones go at once.`
                : 'Push and email go at any hour.'}
            </span>
          </span>
        </div>
        <label className="switch switch--bare">
          <input
            type="checkbox"
            role="switch"
            aria-labelledby="quiet-hours-title"
            aria-describedby="quiet-hours-detail"
            checked={saved !== null}
            onChange={(e) => turn(e.target.checked)}
          />
          <span className="switch__track" aria-hidden="true" />
        </label>
      </div>
      {shown && (
        <form className="quiet-hours__form" onSubmit={(e) => void save(e)}>
          <TimeField id="quiet-hours-start" label="From" value={shown.start} onChange={(v) => edit('start', v)} />
          <TimeField id="quiet-hours-end" label="To" value={shown.end} onChange={(v) => edit('end', v)} />
          <div className="quiet-hours__field quiet-hours__field--zone">
            <label className="quiet-hours__label" htmlFor="quiet-hours-zone">
              Time zone
            </label>
            <select
              id="quiet-hours-zone"
              className="select"
              value={shown.timeZone}
              onChange={(e) => edit('timeZone', e.target.value)}
            >
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z.replaceAll('_', ' ')}
                </option>
              ))}
            </select>
          </div>
          <div className="quiet-hours__actions">
            <button
              type="submit"
              className="button button--primary button--small"
              disabled={!dirty || problem !== null || saving}
            >
              {saving ? 'Saving…' : 'Save'}
            </button>
            {dirty && (
              <button type="button" className="button button--ghost button--small" onClick={() => setDraft(null)}>
                Discard
              </button>
            )}
          </div>
        </form>
      )}
      {problem && (
        <p className="quiet-hours__problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}

/** One of the two times, `HH:MM` as the contract has it. */
function TimeField(props: { id: string; label: string; value: string; onChange: (value: string) => void }) {
  return (
    <div className="quiet-hours__field">
      <label className="quiet-hours__label" htmlFor={props.id}>
        {props.label}
      </label>
      <input
        id={props.id}
        type="time"
        className="input input--compact"
        value={props.value}
        required
        onChange={(e) => props.onChange(e.target.value)}
      />
    </div>
  );
}
