// The demo's service worker: shows the gateway's pushes while no tab is open, and brings the app back on a click.
// Plain JavaScript served as it is (Vite copies public/ into dist/), so it can be registered at scope `/`.

/** The decrypted push, `{ id, seq, type, title, message, url? }` (pushPayloadSchema in @realtime/contracts). */
function readPayload(data) {
  try {
    const payload = data?.json();
    if (payload && typeof payload.title === 'string' && typeof payload.message === 'string') return payload;
  } catch {
    // Not JSON: still show something, as a push sent with userVisibleOnly must show a notification.
  }
  return { id: undefined, title: 'New notification', message: data?.text() ?? '' };
}

self.addEventListener('push', (event) => {
  const { id, title, message, url } = readPayload(event.data);
  // The tag replaces an earlier notification of the same id (a retried push) instead of stacking a second one.
  event.waitUntil(self.registration.showNotification(title, { body: message, tag: id, data: { url } }));
});

async function openApp(url) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (open) return open.focus();
  return self.clients.openWindow(url || '/');
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openApp(event.notification.data?.url));
});

// The push service replaced the subscription. This worker has no token to tell the gateway, so it subscribes
// again with the old key and asks the open pages to register the new one; with none open, the next page load
// sends it (usePush resyncs on mount).
async function resubscribe(event) {
  const old = event.oldSubscription;
  const current = event.newSubscription ?? (await self.registration.pushManager.getSubscription());
  if (!current && old?.options?.applicationServerKey) {
    await self.registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: old.options.applicationServerKey,
    });
  }
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const client of windows)
    client.postMessage({ type: 'push:subscription-changed', oldEndpoint: old?.endpoint ?? null });
}

self.addEventListener('pushsubscriptionchange', (event) => event.waitUntil(resubscribe(event)));

// A new version takes over at once: it only shows notifications, so no page depends on the old one.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
