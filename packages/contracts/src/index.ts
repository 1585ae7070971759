export * from './auth.js';
export * from './client-events.js';
export * from './errors.js';
export * from './events.js';
export * from './http.js';
export * from './notification.js';
export * from './notifications-http.js';
export * from './server-events.js';
export type * from './socket.js';
