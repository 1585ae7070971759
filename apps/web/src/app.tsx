import { Dashboard } from './layout/dashboard.js';
import { ErrorBoundary } from './layout/error-boundary.js';
import { SessionProvider, useSession } from './session/session-context.js';
import { SignInPage } from './session/sign-in-page.js';
import { SocketProvider } from './socket/socket-provider.js';
import { ToastProvider } from './toasts/toast-context.js';

function Gate() {
  const { session } = useSession();
  if (!session) return <SignInPage />;
  // Keyed by user: signing in as someone else starts a fresh socket and fresh state.
  return (
    <SocketProvider key={session.userId}>
      <Dashboard />
    </SocketProvider>
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
