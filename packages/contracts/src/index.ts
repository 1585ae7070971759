export * from './auth.js';
export * from './client-events.js';
export * from './dev-token-http.js';
export * from './errors.js';
export * from './events.js';
export * from './gamification-http.js';
export * from './groups-http.js';
export * from './handshake.js';
export * from './health-http.js';
export * from './http.js';
export * from './notification.js';
export * from './notifications-http.js';
export * from './offline-http.js';
export {
  defineRoute,
  errorStatus,
  routeId,
  type HttpErrorCode,
  type HttpMethod,
  type ParsedRequest,
  type ResponseDef,
  type RouteAccess,
  type RouteBody,
  type RouteDef,
  type RouteHeaders,
  type RouteParams,
  type RouteQuery,
  type RouteResponse,
  type RouteStatus,
  type SuccessStatus,
} from './route.js';
export * from './routes.js';
export * from './preferences.js';
export * from './preferences-http.js';
export * from './server-events.js';
export * from './sessions-http.js';
export type * from './socket.js';
