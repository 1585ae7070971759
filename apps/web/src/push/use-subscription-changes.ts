import { resubscribeOnChange } from '@realtime/client';
import { useRealtimeClient } from '@realtime/react';
import { useEffect } from 'react';

/** What `/sw.js` posts to the open pages on `pushsubscriptionchange`: it has no token, the page does. */
interface SubscriptionChanged {
  type: 'push:subscription-changed';
  oldEndpoint: string | null;
}

const isSubscriptionChanged = (data: unknown): data is SubscriptionChanged =>
  typeof data === 'object' &&
  data !== null &&
  (data as { type?: unknown }).type === 'push:subscription-changed' &&
  ['string', 'object'].includes(typeof (data as { oldEndpoint?: unknown }).oldEndpoint);

/**
 * Registers a subscription the browser replaced (and forgets the old endpoint) when the service worker says so.
 * With no page open then, the next page load sends it instead (`usePush` resyncs on mount).
 */
export function useSubscriptionChanges(registration: Promise<ServiceWorkerRegistration> | undefined): void {
  const { http } = useRealtimeClient();
  useEffect(() => {
    if (!registration) return;
    const container = navigator.serviceWorker;
    const onMessage = (event: MessageEvent<unknown>) => {
      if (!isSubscriptionChanged(event.data)) return;
      const { oldEndpoint } = event.data;
      resubscribeOnChange({
        http,
        registration,
        oldSubscription: oldEndpoint ? { endpoint: oldEndpoint } : null,
      }).catch((err: unknown) => console.warn('could not register the new push subscription', err));
    };
    container.addEventListener('message', onMessage);
    // Messages from the worker wait in a queue until the page says it listens.
    container.startMessages();
    return () => container.removeEventListener('message', onMessage);
  }, [http, registration]);
}
