import { Card } from '../layout/card.js';
import { PushControl } from '../push/push-control.js';
import { type Channel, channelEffective, channelOn } from './channels.js';
import { NOTIFICATION_TYPES, type NotificationTypeInfo } from './notification-types.js';
import { QuietHoursControl } from './quiet-hours-control.js';
import type { usePreferences } from './use-preferences.js';

type PreferencesState = ReturnType<typeof usePreferences>;

const COLUMNS: { channel: Channel; label: string; header: string }[] = [
  { channel: 'inApp', label: 'In-app', header: 'In-app' },
  { channel: 'offline', label: 'Offline (all)', header: 'Offline' },
  { channel: 'push', label: 'Push', header: 'Push' },
  { channel: 'email', label: 'Email', header: 'Email' },
];

interface SwitchProps {
  info: NotificationTypeInfo;
  channel: Channel;
  label: string;
  state: PreferencesState;
}

/** One channel of one type; its accessible name says both, since the column header is all a sighted user needs. */
function ChannelSwitch({ info, channel, label, state }: SwitchProps) {
  const on = channelOn(state.preferences, info.type, channel);
  // Push and email set on while offline is off: kept as set, dimmed, since the gateway sends neither.
  const overridden = on && !channelEffective(state.preferences, info.type, channel);
  return (
    <label
      className={`switch switch--bare${overridden ? ' switch--overridden' : ''}`}
      title={overridden ? 'Off while Offline (all) is off' : undefined}
    >
      <input
        type="checkbox"
        role="switch"
        checked={on}
        onChange={(e) => void state.change(info.type, channel, e.target.checked)}
      />
      <span className="switch__track" aria-hidden="true" />
      <span className="visually-hidden">
        {info.label}: {label}
      </span>
    </label>
  );
}

/**
 * This device's Web Push switch, then per type whether it reaches this user in the app and through each offline
 * channel, then the quiet hours in which push and email wait; synced across their tabs.
 */
export function PreferencesPanel({ state }: { state: PreferencesState }) {
  const { preferences, error } = state;
  return (
    <Card
      className="preferences"
      titleId="preferences-title"
      title="Notification settings"
      aside={<span className="card__hint">synced to your other tabs</span>}
    >
      <PushControl />
      {error && !preferences && (
        <div className="inline-error" role="alert">
          <p>{error}</p>
          <button type="button" className="button button--small" onClick={state.retry}>
            Try again
          </button>
        </div>
      )}
      {!error && !preferences && <p className="muted">Loading…</p>}
      {preferences && (
        <table className="preferences__table" data-testid="preferences">
          <thead>
            <tr>
              <th scope="col">Type</th>
              {COLUMNS.map(({ channel, header }) => (
                <th key={channel} scope="col" className="preferences__channel">
                  {header}
                  {channel === 'offline' && <span className="preferences__sub">all</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {NOTIFICATION_TYPES.map((info) => (
              <tr key={info.type} data-type={info.type}>
                <th scope="row" className="preferences__type">
                  <span className="preferences__label">{info.label}</span>
                  <code className="preferences__code">{info.type}</code>
                  {!channelOn(preferences, info.type, 'inApp') && <span className="muted-tag">muted</span>}
                </th>
                {COLUMNS.map(({ channel, label }) => (
                  <td key={channel} className="preferences__channel">
                    <ChannelSwitch info={info} channel={channel} label={label} state={state} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="preferences__explain">
        In-app off: neither stored nor shown, unless sent as critical. While you have no tab open, a notification can
        also come as a push to your enabled devices or as an email; Offline off turns both off, whatever they say.
      </p>
      {preferences && <QuietHoursControl state={state} />}
    </Card>
  );
}
