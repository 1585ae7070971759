import { localStorageAdapter } from '@realtime/client';
import { RealtimeProvider } from '@realtime/react';
import { Dashboard } from './layout/dashboard.js';
import { ErrorBoundary } from './layout/error-boundary.js';
import { SessionProvider, useSession } from './session/session-context.js';
import { SignInPage } from './session/sign-in-page.js';
import { ToastProvider } from './toasts/toast-context.js';

function Gate() {
  const { session, getToken } = useSession();
  if (!session) return <SignInPage />;
  // Keyed by user: signing in as someone else starts a fresh client, socket and state.
  return (
    <RealtimeProvider
      key={session.userId}
      options={{
        // The gateway serves this page (Vite proxies it in development): HTTP and socket on this origin.
        url: window.location.origin,
        getToken,
        // Per tab, like the session: a reload or a return to the page replays what this tab missed.
        storage: localStorageAdapter(sessionStorage),
      }}
    >
      <Dashboard />
    </RealtimeProvider>
  );
}

export function App() {
  return (
    <ErrorBoundary>
      <ToastProvider>
        <SessionProvider>
          <Gate />
        </SessionProvider>
      </ToastProvider>
    </ErrorBoundary>
  );
}
