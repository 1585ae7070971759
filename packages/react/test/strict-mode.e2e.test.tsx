import { createRealtimeClient, type NotificationDelivery, type RealtimeClient } from '@realtime/client';
import { serverEventNames } from '@realtime/contracts';
import { cleanup, configure, render, screen, waitFor } from '@testing-library/react';
import { StrictMode, useEffect } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  RealtimeProvider,
  useConnectionState,
  useNotifications,
  useRealtimeClient,
  useRealtimeEvent,
  useUnreadCount,
} from '../src/index.js';
import { connections, type Gateway, publish, sign, startGateway } from './support/gateway.js';

// React warns when state changes outside act(); these tests wait on the real server instead.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;
// Waits cover a round trip through a server on a busy machine.
configure({ asyncUtilTimeout: 10_000 });

let gateway: Gateway;
let users = 0;
const uniqueUser = () => `ada-${process.pid}-${++users}`;

beforeAll(async () => {
  gateway = await startGateway();
  // The page is the gateway's own, as when it serves the demo: the SDK's requests are same-origin.
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(gateway.url);
});
afterEach(cleanup);
afterAll(() => gateway?.stop());

/** Every subscription made through `client.on` (the hooks' only way in), and how many are still live. */
function countSubscriptions(client: RealtimeClient) {
  const on = client.on.bind(client);
  const live = new Set<object>();
  const counts = { made: 0, live: () => live.size };
  client.on = ((event, listener) => {
    counts.made += 1;
    const subscription = {};
    live.add(subscription);
    const off = on(event, listener);
    return () => {
      live.delete(subscription);
      off();
    };
  }) as RealtimeClient['on'];
  return counts;
}

/** The socket's own listeners, per server event plus catch-all ones: the hooks must never add any. */
const socketListeners = (client: RealtimeClient) => [
  ...serverEventNames.map((event) => client.socket.listeners(event).length),
  client.socket.listenersAny().length,
];

function Probe({ onNotification }: { onNotification: (delivery: NotificationDelivery) => void }) {
  const state = useConnectionState();
  const unread = useUnreadCount();
  const feed = useNotifications({ pageSize: 10 });
  useRealtimeEvent('notification', onNotification);
  return (
    <>
      <p data-testid="state">{state}</p>
      <p data-testid="unread">{unread ?? 'unknown'}</p>
      <ul>
        {feed.items.map((n) => (
          <li key={n.id}>{n.title}</li>
        ))}
      </ul>
    </>
  );
}

const shown = (id: string) => screen.getByTestId(id).textContent;
const feedTitles = () => screen.queryAllByRole('listitem').map((li) => li.textContent);

describe('hooks under StrictMode against the built gateway', () => {
  it('keeps one connection, delivers each notification once, and leaves no listener after unmount, twice', async () => {
    const userId = uniqueUser();
    const token = await sign(userId);
    const client = createRealtimeClient({ url: gateway.url, getToken: () => token });
    const subscriptions = countSubscriptions(client);
    let connects = 0;
    client.socket.on('connect', () => (connects += 1));
    const baseline = socketListeners(client);

    const first: string[] = [];
    const view = render(
      <StrictMode>
        <RealtimeProvider client={client}>
          <Probe onNotification={({ notification }) => first.push(notification.id)} />
        </RealtimeProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(shown('state')).toBe('synced'));
    expect(await connections(gateway.url, userId)).toBe(1);
    expect(connects).toBe(1);
    expect(subscriptions.live()).toBeGreaterThan(0);

    const published = [await publish(gateway.url, userId, 'one'), await publish(gateway.url, userId, 'two')];
    // Nothing may arrive after the last one: a duplicate would come before this marker.
    const marker = await publish(gateway.url, userId, 'marker');
    await waitFor(() => expect(first).toContain(marker));
    expect(first).toEqual([...published, marker]);
    await waitFor(() => expect(feedTitles()).toEqual(['marker', 'two', 'one']));
    await waitFor(() => expect(shown('unread')).toBe('3'));

    view.unmount();
    await waitFor(() => expect(client.state).toBe('disconnected'));
    expect(subscriptions.live()).toBe(0);
    expect(socketListeners(client)).toEqual(baseline);
    await waitFor(async () => expect(await connections(gateway.url, userId)).toBe(0));

    // Mounted again: the same client connects once more, and only the new handler hears what comes next.
    const second: string[] = [];
    const again = render(
      <StrictMode>
        <RealtimeProvider client={client}>
          <Probe onNotification={({ notification }) => second.push(notification.id)} />
        </RealtimeProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(shown('state')).toBe('synced'));
    expect(await connections(gateway.url, userId)).toBe(1);
    expect(connects).toBe(2);
    const later = await publish(gateway.url, userId, 'after the remount');
    await waitFor(() => expect(second).toContain(later));
    expect(second).toEqual([later]);
    expect(first).toHaveLength(3);
    await waitFor(() => expect(feedTitles()).toEqual(['after the remount', 'marker', 'two', 'one']));

    again.unmount();
    await waitFor(() => expect(client.state).toBe('disconnected'));
    expect(subscriptions.live()).toBe(0);
    expect(socketListeners(client)).toEqual(baseline);
    await client.close();
  });

  it('calls the latest handler without subscribing again when a render passes a new closure', async () => {
    const userId = uniqueUser();
    const token = await sign(userId);
    const client = createRealtimeClient({ url: gateway.url, getToken: () => token });
    const subscriptions = countSubscriptions(client);
    const calls: string[] = [];
    const tree = (label: string) => (
      <StrictMode>
        <RealtimeProvider client={client}>
          <Probe onNotification={({ notification }) => calls.push(`${label}: ${notification.title}`)} />
        </RealtimeProvider>
      </StrictMode>
    );
    const view = render(tree('first'));
    await waitFor(() => expect(shown('state')).toBe('synced'));
    const made = subscriptions.made;
    const live = subscriptions.live();

    view.rerender(tree('second'));
    view.rerender(tree('third'));
    expect(subscriptions.made).toBe(made);
    expect(subscriptions.live()).toBe(live);
    await publish(gateway.url, userId, 'hello');
    await waitFor(() => expect(calls).toEqual(['third: hello']));

    view.unmount();
    await waitFor(() => expect(client.state).toBe('disconnected'));
    expect(subscriptions.live()).toBe(0);
    await client.close();
  });

  it('creates one client from options, connects it once and closes it after unmount', async () => {
    const userId = uniqueUser();
    const token = await sign(userId);
    const committed = new Set<RealtimeClient>();
    function Capture() {
      const client = useRealtimeClient();
      useEffect(() => void committed.add(client), [client]);
      return null;
    }
    const received: string[] = [];
    const view = render(
      <StrictMode>
        <RealtimeProvider options={{ url: gateway.url, getToken: () => token }}>
          <Capture />
          <Probe onNotification={({ notification }) => received.push(notification.id)} />
        </RealtimeProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(shown('state')).toBe('synced'));
    expect(committed.size).toBe(1);
    const [client] = committed;
    expect(await connections(gateway.url, userId)).toBe(1);
    const id = await publish(gateway.url, userId, 'once');
    const marker = await publish(gateway.url, userId, 'marker');
    await waitFor(() => expect(received).toContain(marker));
    expect(received).toEqual([id, marker]);

    view.unmount();
    await waitFor(() => expect(client!.state).toBe('disconnected'));
    // close() dropped the SDK's catch-all listener too: nothing is left listening on that socket.
    await waitFor(() => expect(client!.socket.listenersAny()).toHaveLength(0));
    await waitFor(async () => expect(await connections(gateway.url, userId)).toBe(0));
  });
});
