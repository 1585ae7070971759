export { type AppSocket, type ConnectionFailure, type FailureCode } from './connection.js';
export {
  createFeedStore,
  type FeedSnapshot,
  type FeedSource,
  type FeedStore,
  type FeedStoreOptions,
} from './feed-store.js';
export { createHttpClient, type HttpClientOptions } from './http-client.js';
export type {
  FetchLike,
  GetToken,
  HttpClient,
  HttpErrorBody,
  HttpFailure,
  HttpResult,
  RequestOptions,
  RouteAnswer,
  RouteErrorCode,
  TokenReason,
  TransportErrorCode,
} from './http-types.js';
export type { NotificationDelivery, ResyncNotice, SyncOptions } from './notification-sync.js';
export type {
  ActionError,
  ActionErrorCode,
  ActionResult,
  ConnectionState,
  RealtimeClient,
  RealtimeClientOptions,
  RealtimeEvents,
  StateChange,
} from './client-types.js';
export { createRealtimeClient } from './realtime-client.js';
export {
  localStorageAdapter,
  memoryStorage,
  positionKey,
  type StorageAdapter,
  type WebStorageLike,
} from './storage.js';
export { readToken, type TokenInfo } from './token.js';
export type { UnreadCount } from './unread-count.js';
export { PushError, type PushErrorCode } from './push-error.js';
export {
  currentPushState,
  disablePush,
  enablePush,
  type NotificationPermissionState,
  type PushHttp,
  type PushManagerLike,
  type PushOptions,
  type PushRegistrationLike,
  type PushScope,
  type PushState,
  type PushSubscriptionLike,
  type PushSupport,
  type RegistrationSource,
  pushSupport,
  resubscribeOnChange,
  type SubscriptionChange,
} from './web-push.js';
