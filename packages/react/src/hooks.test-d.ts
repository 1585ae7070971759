import type {
  ActionResult,
  ConnectionState,
  NotificationDelivery,
  PushError,
  PushState,
  RealtimeClient,
} from '@realtime/client';
import { expectTypeOf } from 'vitest';
import {
  useConnectionState,
  useNotifications,
  usePush,
  useRealtimeClient,
  useRealtimeEvent,
  useUnreadCount,
} from './index.js';

declare const registration: ServiceWorkerRegistration;

// Never rendered: tsc checks what a component may write with these hooks.
export function TypedHooks() {
  useRealtimeEvent('notification', (delivery) => expectTypeOf(delivery).toEqualTypeOf<NotificationDelivery>());
  useRealtimeEvent('xp:gained', ({ amount, totalXp }) => expectTypeOf(amount + totalXp).toBeNumber());
  useRealtimeEvent('state', ({ to }) => expectTypeOf(to).toEqualTypeOf<ConnectionState>());
  useRealtimeEvent('unreadCount', ({ unreadCount, version }) => expectTypeOf(unreadCount + version).toBeNumber());
  // @ts-expect-error not an event of the contract nor of the SDK
  useRealtimeEvent('notification:created', () => undefined);
  // @ts-expect-error xp:gained carries no title
  useRealtimeEvent('xp:gained', ({ title }: { title: string }) => title);

  expectTypeOf(useConnectionState()).toEqualTypeOf<ConnectionState>();
  expectTypeOf(useUnreadCount()).toEqualTypeOf<number | null>();
  expectTypeOf(useRealtimeClient()).toEqualTypeOf<RealtimeClient>();
  const feed = useNotifications({ pageSize: 5, unreadOnly: true });
  expectTypeOf(feed.status).toEqualTypeOf<'idle' | 'loading' | 'ready' | 'error'>();
  expectTypeOf(feed.markRead('id')).resolves.toEqualTypeOf<ActionResult<'notification:mark_read'>>();
  expectTypeOf(feed.delete).parameter(0).toBeString();
  // @ts-expect-error pages hold 1 to 100, as a number
  useNotifications({ pageSize: '5' });

  // The browser's own registration fits, as it is or as `navigator.serviceWorker.ready`.
  const push = usePush(registration);
  usePush(navigator.serviceWorker.ready, { resync: false });
  expectTypeOf(push.state).toEqualTypeOf<PushState | null>();
  expectTypeOf(push.error).toEqualTypeOf<PushError | null>();
  expectTypeOf(push.busy).toBeBoolean();
  expectTypeOf(push.enable).returns.resolves.toBeVoid();
  // @ts-expect-error a registration has a pushManager
  usePush({ scope: '/' });
  return null;
}
