import { createRealtimeClient, type RealtimeClient, type RealtimeClientOptions } from '@realtime/client';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';

export type RealtimeProviderProps = {
  children?: ReactNode;
} & (
  | {
      /** A client you created; the provider connects it while mounted and disconnects it after, never closes it. */
      client: RealtimeClient;
      options?: undefined;
    }
  | {
      /** Options for a client of the provider's own, read once: key the provider to start another (e.g. by user). */
      options: RealtimeClientOptions;
      client?: undefined;
    }
);

const RealtimeContext = createContext<RealtimeClient | null>(null);

interface Hold {
  count: number;
  release: ReturnType<typeof setTimeout> | null;
}

const holds = new WeakMap<RealtimeClient, Hold>();

/**
 * Keeps `client` connected while at least one provider holds it. The last release waits a tick, so an
 * unmount followed at once by a mount (StrictMode, Fast Refresh) keeps the one connection instead of
 * dropping it and opening another.
 */
function hold(client: RealtimeClient, released: () => void): () => void {
  let entry = holds.get(client);
  if (!entry) holds.set(client, (entry = { count: 0, release: null }));
  const current = entry;
  const stillConnected = current.release !== null;
  if (current.release !== null) clearTimeout(current.release);
  current.release = null;
  current.count += 1;
  if (current.count === 1 && !stillConnected) client.connect();
  return () => {
    current.count -= 1;
    if (current.count > 0) return;
    current.release = setTimeout(() => {
      current.release = null;
      released();
    }, 0);
  };
}

/** One realtime connection for everything below it: the client given, or one created from `options`. */
export function RealtimeProvider({ client: given, options, children }: RealtimeProviderProps) {
  // Creating a client opens nothing (it connects when held), so a render React discards leaks no connection.
  const [owned] = useState(() => (given ? null : createRealtimeClient(options!)));
  const client = given ?? owned!;
  useEffect(
    () =>
      hold(client, () => {
        if (client === owned) void client.close();
        else client.disconnect();
      }),
    [client, owned],
  );
  return <RealtimeContext.Provider value={client}>{children}</RealtimeContext.Provider>;
}

/** The provider's client: for `client.http`, `client.failure`, actions, or anything the hooks do not cover. */
export function useRealtimeClient(): RealtimeClient {
  const client = useContext(RealtimeContext);
  if (!client) throw new Error('useRealtimeClient and the realtime hooks must be used inside <RealtimeProvider>');
  return client;
}
