import { usePush } from '@realtime/react';
import { describePush } from './push-status.js';
import { registerServiceWorker } from './service-worker.js';
import { useSubscriptionChanges } from './use-subscription-changes.js';

/** "Enable notifications on this device": Web Push for this browser, with every state it can be in. */
export function PushControl() {
  // The page registered it at start-up: this is the same promise.
  const registration = registerServiceWorker();
  useSubscriptionChanges(registration);
  const push = usePush(registration);
  const view = describePush(push);
  return (
    <div className="device-push" data-testid="push-control" data-status={view.status}>
      <div className="device-push__text">
        <span className="device-push__title" id="device-push-title">
          Enable notifications on this device
        </span>
        <span className="device-push__line">
          <span className={`device-push__badge device-push__badge--${view.status}`} role="status">
            {view.label}
          </span>
          <span className="device-push__detail" id="device-push-detail">
            {view.detail}
          </span>
        </span>
      </div>
      <label className="switch switch--bare">
        <input
          type="checkbox"
          role="switch"
          aria-labelledby="device-push-title"
          aria-describedby="device-push-detail"
          checked={push.state === 'subscribed'}
          disabled={!view.enabled}
          onChange={(e) => void (e.target.checked ? push.enable() : push.disable())}
        />
        <span className="switch__track" aria-hidden="true" />
      </label>
    </div>
  );
}
