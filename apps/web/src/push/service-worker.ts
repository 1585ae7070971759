let registration: Promise<ServiceWorkerRegistration> | undefined;

/**
 * Registers `/sw.js` (shows pushes, handles their clicks) once per page and resolves once it is active, which
 * `pushManager.subscribe` needs; undefined in a browser without service workers.
 */
export function registerServiceWorker(): Promise<ServiceWorkerRegistration> | undefined {
  if (registration || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return registration;
  const container = navigator.serviceWorker;
  registration = container.register('/sw.js').then(() => container.ready);
  // Push shows as unsupported then; nothing else on the page needs the worker.
  registration.catch((err: unknown) => console.warn('the service worker could not be registered', err));
  return registration;
}
