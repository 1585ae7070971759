export { RealtimeProvider, type RealtimeProviderProps, useRealtimeClient } from './realtime-provider.js';
export { useConnectionState, useUnreadCount } from './use-connection-state.js';
export { type Notifications, useNotifications } from './use-notifications.js';
export { useRealtimeEvent } from './use-realtime-event.js';
export { type PushControl, usePush, type UsePushOptions } from './use-push.js';
