import { z } from 'zod';
import { devTokenBodySchema, devTokenResponseSchema } from './dev-token-http.js';
import {
  awardXpBodySchema,
  leaderboardQuerySchema,
  leaderboardResponseSchema,
  profileSchema,
} from './gamification-http.js';
import {
  addGroupMembersBodySchema,
  addGroupMembersResponseSchema,
  groupMemberParamsSchema,
  groupMembersResponseSchema,
  groupParamsSchema,
  groupsResponseSchema,
} from './groups-http.js';
import {
  blockedResponseSchema,
  healthResponseSchema,
  notReadyResponseSchema,
  readyResponseSchema,
} from './health-http.js';
import {
  idempotencyHeadersSchema,
  presenceParamsSchema,
  presenceResponseSchema,
  publishEventBodySchema,
  publishEventResponseSchema,
} from './http.js';
import {
  createNotificationBodySchema,
  createNotificationResponseSchema,
  listNotificationsQuerySchema,
  markAllReadResponseSchema,
  markReadResponseSchema,
  notificationPageSchema,
  notificationParamsSchema,
} from './notifications-http.js';
import {
  deletePushSubscriptionBodySchema,
  deliveriesResponseSchema,
  emailAddressResponseSchema,
  mailboxQuerySchema,
  mailboxResponseSchema,
  setEmailAddressBodySchema,
  unsubscribeQuerySchema,
  pushSubscriptionResponseSchema,
  pushSubscriptionSchema,
  vapidPublicKeyResponseSchema,
} from './offline-http.js';
import { preferencesResponseSchema, updatePreferencesBodySchema } from './preferences-http.js';
import { defineRoute, json, noContent, type RouteDef } from './route.js';
import { revokeSessionsBodySchema, revokeSessionsResponseSchema } from './sessions-http.js';

/** What any route behind a bearer token may answer: no, a bad, an expired or a revoked token; over its budget. */
const tokenErrors = ['TOKEN_MISSING', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_REVOKED', 'RATE_LIMITED'] as const;
/** ...and a route for service and admin tokens: another role. */
const publisherErrors = [...tokenErrors, 'FORBIDDEN'] as const;
/** A JSON body that fails its schema, or is too large. */
const bodyErrors = ['VALIDATION_ERROR', 'PAYLOAD_TOO_LARGE'] as const;
const publishers = ['service', 'admin'] as const;
const idempotency =
  'Exactly-once under retries: with an `Idempotency-Key`, a repeat by the same caller within 24 h, on any process, ' +
  'does nothing again and answers the first answer (marked `Idempotent-Replayed: true`); the same key with another body is 422.';

/** Every HTTP route of the gateway. */
export const routes = {
  publishEvent: defineRoute({
    method: 'POST',
    path: '/api/events',
    summary: 'Publish a server event to users or to everyone',
    description:
      'A server-to-client event that carries no store position (`achievement:unlocked`, `rank:updated`, `xp:gained`, ' +
      "`leaderboard:updated`), its `payload` checked by that event's schema; protocol events (`authenticated`, " +
      '`error`, every `notification:*`, `preferences:updated`) are 400 `VALIDATION_ERROR` naming the event: they ' +
      'reach sockets only from the server. Sent to the sockets of `userIds` and of the members of `groupIds` (a socket gets it once), or to every socket ' +
      `when both are absent. ${idempotency}`,
    access: publishers,
    headers: idempotencyHeadersSchema,
    body: publishEventBodySchema,
    responses: { 202: json(publishEventResponseSchema, 'Accepted: emitted to the recipients connected now.') },
    errors: [...publisherErrors, ...bodyErrors, 'IDEMPOTENCY_KEY_REUSED', 'UNAVAILABLE'],
  }),
  getPresence: defineRoute({
    method: 'GET',
    path: '/api/presence/:userId',
    summary: "Count a user's sockets across the cluster",
    description: 'A process that died stops counting within 30 s; 503 when the cluster does not answer within 2 s.',
    access: publishers,
    params: presenceParamsSchema,
    responses: { 200: json(presenceResponseSchema, 'Whether the user is online, and with how many sockets.') },
    errors: [...publisherErrors, 'UNAVAILABLE'],
  }),
  revokeSessions: defineRoute({
    method: 'POST',
    path: '/api/sessions/revoke',
    summary: 'End every session of a user',
    description:
      "The user's tokens issued until now are refused from now on (`TOKEN_REVOKED`), on every process, and the " +
      'user\'s sockets get `error` `{ code: "TOKEN_REVOKED" }` and are disconnected within 2 s.',
    access: publishers,
    body: revokeSessionsBodySchema,
    responses: { 200: json(revokeSessionsResponseSchema, 'The revocation, and how many sockets it ended.') },
    errors: [...publisherErrors, ...bodyErrors, 'UNAVAILABLE'],
  }),
  createNotification: defineRoute({
    method: 'POST',
    path: '/api/notifications',
    summary: 'Store and deliver a notification to one or more users, or to every member of a group',
    description:
      'Stores one notification per recipient (its own `id` and `seq`), then emits `notification:new` and ' +
      "`notification:unread_count` to each recipient's sockets. In the same transaction it plans the offline " +
      "deliveries (Web Push, email, webhook) of each recipient, due after each channel's delay " +
      '(`offline.delaySeconds` for all, `offline.channels` to choose): at their due time they are sent, or skipped ' +
      'when the notification was read or deleted, the user is online (push), or their preferences turn the channel ' +
      'off (see `GET /api/notifications/:id/deliveries`). Emails due within one digest window go as one digest per ' +
      'user and `offline.digestKey`; `critical` ones are sent at once, alone. A recipient whose preferences turn `inApp` off for that ' +
      '`type` gets nothing (nothing stored) unless `critical` is true; the answer lists what was stored. ' +
      idempotency,
    access: publishers,
    headers: idempotencyHeadersSchema,
    body: createNotificationBodySchema,
    responses: { 201: json(createNotificationResponseSchema, 'Stored, one per recipient.') },
    errors: [...publisherErrors, ...bodyErrors, 'IDEMPOTENCY_KEY_REUSED', 'UNAVAILABLE'],
  }),
  listNotifications: defineRoute({
    method: 'GET',
    path: '/api/notifications',
    summary: "Page through the caller's own feed, newest first",
    description: 'Pass `nextCursor` as `cursor` for the next page; `unreadCount` and `version` ignore the filter.',
    access: 'authenticated',
    query: listNotificationsQuerySchema,
    responses: { 200: json(notificationPageSchema, 'One page of the feed.') },
    errors: [...tokenErrors, 'VALIDATION_ERROR', 'UNAVAILABLE'],
  }),
  markNotificationRead: defineRoute({
    method: 'POST',
    path: '/api/notifications/:id/read',
    summary: 'Mark one of your notifications read',
    description:
      'As the socket event `notification:mark_read`: every socket of the user gets `notification:read` and ' +
      "`notification:unread_count`. Another user's notification is 404, never 403.",
    access: 'authenticated',
    params: notificationParamsSchema,
    responses: { 200: json(markReadResponseSchema, 'Read.') },
    errors: [...tokenErrors, 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  markAllNotificationsRead: defineRoute({
    method: 'POST',
    path: '/api/notifications/read-all',
    summary: 'Mark all your notifications read',
    description: 'As the socket event `notification:mark_all_read`.',
    access: 'authenticated',
    responses: { 200: json(markAllReadResponseSchema, 'How many changed.') },
    errors: [...tokenErrors, 'UNAVAILABLE'],
  }),
  deleteNotification: defineRoute({
    method: 'DELETE',
    path: '/api/notifications/:id',
    summary: 'Delete one of your notifications',
    description:
      'As the socket event `notification:delete`: every socket of the user gets `notification:deleted` and ' +
      "`notification:unread_count`. Another user's notification is 404, never 403.",
    access: 'authenticated',
    params: notificationParamsSchema,
    responses: { 204: noContent('Deleted.') },
    errors: [...tokenErrors, 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  awardXp: defineRoute({
    method: 'POST',
    path: '/api/xp',
    summary: 'Award XP to a user',
    description:
      "The user's sockets get `xp:gained`, and `rank:updated` / `achievement:unlocked` when a threshold is crossed; " +
      `the leaderboard follows (\`leaderboard:updated\`, to everyone). ${idempotency}`,
    access: publishers,
    headers: idempotencyHeadersSchema,
    body: awardXpBodySchema,
    responses: { 200: json(profileSchema, "The user's profile after the award.") },
    errors: [...publisherErrors, ...bodyErrors, 'IDEMPOTENCY_KEY_REUSED', 'UNAVAILABLE'],
  }),
  getProfile: defineRoute({
    method: 'GET',
    path: '/api/profile',
    summary: 'Your XP, rank and achievements',
    description:
      "The caller's own profile, the initial state that `xp:gained`, `rank:updated` and `achievement:unlocked` update.",
    access: 'authenticated',
    responses: { 200: json(profileSchema, 'The profile.') },
    errors: [...tokenErrors, 'UNAVAILABLE'],
  }),
  getLeaderboard: defineRoute({
    method: 'GET',
    path: '/api/leaderboard',
    summary: 'The top of the leaderboard, global or of one group',
    description:
      'The same shape as `leaderboard:updated`, which carries every later change. With `groupId`, the board of ' +
      "that group's members (for its members, services and admins; another user is 403).",
    access: 'authenticated',
    query: leaderboardQuerySchema,
    responses: { 200: json(leaderboardResponseSchema, 'The top 10, best first.') },
    errors: [...tokenErrors, 'VALIDATION_ERROR', 'FORBIDDEN', 'UNAVAILABLE'],
  }),
  addGroupMembers: defineRoute({
    method: 'PUT',
    path: '/api/groups/:groupId/members',
    summary: 'Add members to a group',
    description:
      "Membership is the server's: every socket of each new member joins room `group:{groupId}` at once, on every " +
      'process, and from then on gets what is sent to the group. Adding a member twice changes nothing.',
    access: publishers,
    params: groupParamsSchema,
    body: addGroupMembersBodySchema,
    responses: { 200: json(addGroupMembersResponseSchema, 'The group, and how many users were not members yet.') },
    errors: [...publisherErrors, ...bodyErrors, 'UNAVAILABLE'],
  }),
  removeGroupMember: defineRoute({
    method: 'DELETE',
    path: '/api/groups/:groupId/members/:userId',
    summary: 'Remove a member from a group',
    description:
      "The user's sockets leave room `group:{groupId}` at once, on every process: nothing sent to the group " +
      'reaches them after the answer. Removing a non-member changes nothing (still 204).',
    access: publishers,
    params: groupMemberParamsSchema,
    responses: { 204: noContent('Not a member (any more).') },
    errors: [...publisherErrors, 'VALIDATION_ERROR', 'UNAVAILABLE'],
  }),
  listGroups: defineRoute({
    method: 'GET',
    path: '/api/groups',
    summary: 'Your groups',
    description: "The groups the caller is a member of; their rooms are the caller's sockets' from the handshake on.",
    access: 'authenticated',
    responses: { 200: json(groupsResponseSchema, "The caller's groups.") },
    errors: [...tokenErrors, 'UNAVAILABLE'],
  }),
  listGroupMembers: defineRoute({
    method: 'GET',
    path: '/api/groups/:groupId/members',
    summary: "A group's members",
    description: 'For services, admins and the members themselves; another user is 403.',
    access: 'authenticated',
    params: groupParamsSchema,
    responses: { 200: json(groupMembersResponseSchema, 'Every member (none: an empty list).') },
    errors: [...tokenErrors, 'VALIDATION_ERROR', 'FORBIDDEN', 'UNAVAILABLE'],
  }),
  listDeliveries: defineRoute({
    method: 'GET',
    path: '/api/notifications/:id/deliveries',
    summary: "A notification's offline deliveries and where each stands",
    description:
      'One per channel: `pending` (with its due time), `sent`, `failed` (with the last error) or `skipped` with ' +
      'the reason. Only channels that could reach the user when it was published have one (push: a ' +
      'subscription; email: an address; webhook: `FALLBACK_WEBHOOK_URL` set), so the list may be empty. Services and admins see any ' +
      "notification's; a user their own (another user's is 404).",
    access: 'authenticated',
    params: notificationParamsSchema,
    responses: { 200: json(deliveriesResponseSchema, 'Every offline delivery of the notification.') },
    errors: [...tokenErrors, 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  getVapidPublicKey: defineRoute({
    method: 'GET',
    path: '/api/push/vapid-public-key',
    summary: "The server's VAPID public key, for `pushManager.subscribe`",
    description:
      'Pass it as `applicationServerKey`. 404 when this server has no Web Push (production without VAPID keys).',
    access: 'authenticated',
    responses: { 200: json(vapidPublicKeyResponseSchema, 'The key, base64url.') },
    errors: [...tokenErrors, 'NOT_FOUND'],
  }),
  registerPushSubscription: defineRoute({
    method: 'POST',
    path: '/api/push/subscriptions',
    summary: "Register this browser's push subscription for the caller",
    description:
      'The body is `PushSubscription.toJSON()`. The endpoint must be an `https:` URL of a known push service ' +
      '(`PUSH_ENDPOINT_ORIGINS`), else 400. An endpoint registered before by another user moves to the caller ' +
      'with the same keys (the same browser, another account), and is 403 with other keys. 201 when new, 200 ' +
      "when it was already the caller's.",
    access: 'authenticated',
    body: pushSubscriptionSchema,
    responses: {
      201: json(pushSubscriptionResponseSchema, 'Registered.'),
      200: json(pushSubscriptionResponseSchema, 'Already registered (keys refreshed).'),
    },
    errors: [...tokenErrors, ...bodyErrors, 'FORBIDDEN', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  deletePushSubscription: defineRoute({
    method: 'DELETE',
    path: '/api/push/subscriptions',
    summary: 'Stop pushing to this browser',
    description: "204 also when the endpoint was not registered or is another user's: nothing of theirs changes.",
    access: 'authenticated',
    body: deletePushSubscriptionBodySchema,
    responses: { 204: noContent('Not registered for the caller any more.') },
    errors: [...tokenErrors, ...bodyErrors, 'UNAVAILABLE'],
  }),
  getEmailAddress: defineRoute({
    method: 'GET',
    path: '/api/users/:userId/email',
    summary: "Where a user's email goes",
    description:
      'The address set by a service (`source: "api"`), else the `email` claim of the latest token the user ' +
      'signed in with (`"token"`), else none (their emails are skipped as `no_address`).',
    access: publishers,
    params: presenceParamsSchema,
    responses: { 200: json(emailAddressResponseSchema, 'The address and where it came from.') },
    errors: [...publisherErrors, 'UNAVAILABLE'],
  }),
  setEmailAddress: defineRoute({
    method: 'PUT',
    path: '/api/users/:userId/email',
    summary: "Set the address a user's email goes to",
    description:
      "It wins over the `email` claim of the user's tokens until it is set to `null`, which goes back to the " +
      'claim. It applies to emails not sent yet, digests already open included.',
    access: publishers,
    params: presenceParamsSchema,
    body: setEmailAddressBodySchema,
    responses: { 200: json(emailAddressResponseSchema, 'The address now in use.') },
    errors: [...publisherErrors, ...bodyErrors, 'UNAVAILABLE'],
  }),
  unsubscribePage: defineRoute({
    method: 'GET',
    path: '/api/email/unsubscribe',
    summary: "An email's unsubscribe link, for a person",
    description:
      'A page that asks before turning anything off (link scanners open links): its button POSTs to the same ' +
      'URL. A link whose signature does not hold is 400 `VALIDATION_ERROR`.',
    access: 'public',
    query: unsubscribeQuerySchema,
    responses: { 200: { description: 'An HTML page.', schema: z.string(), contentType: 'text/html; charset=utf-8' } },
    errors: ['VALIDATION_ERROR', 'UNAVAILABLE'],
  }),
  unsubscribe: defineRoute({
    method: 'POST',
    path: '/api/email/unsubscribe',
    summary: 'Turn email off for the types of an email, in one click (RFC 8058)',
    description:
      "The `List-Unsubscribe` URL of every email: mail clients POST `List-Unsubscribe=One-Click` to it. It sets the user's " +
      '`email` preference to false for each notification type the email carried (their other devices get ' +
      '`preferences:updated`); doing it twice is the same. A link whose signature does not hold is 400 ' +
      '`VALIDATION_ERROR` and changes nothing.',
    access: 'public',
    query: unsubscribeQuerySchema,
    responses: {
      200: {
        description: 'An HTML page saying what was turned off.',
        schema: z.string(),
        contentType: 'text/html; charset=utf-8',
      },
    },
    errors: ['VALIDATION_ERROR', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
  getPreferences: defineRoute({
    method: 'GET',
    path: '/api/preferences',
    summary: 'Your notification preferences',
    description:
      'Per notification `type`, `{ inApp, offline, push, email }`; a type not listed is on for all. `inApp: false`: ' +
      'notifications of that type are neither stored nor delivered to you (unless the publisher marks them ' +
      '`critical`); `offline: false`: every offline channel skips them, whatever `push` and `email` say; ' +
      '`push: false` / `email: false`: that channel skips them. `quietHours` (absent when none): push and email ' +
      'due inside them wait until they end, wall-clock time in their `timeZone` (critical ones excepted).',
    access: 'authenticated',
    responses: { 200: json(preferencesResponseSchema, 'Every type you have set.') },
    errors: [...tokenErrors, 'UNAVAILABLE'],
  }),
  updatePreferences: defineRoute({
    method: 'PUT',
    path: '/api/preferences',
    summary: 'Change your notification preferences',
    description:
      'Merged by type: a field left out stays as it was, a type never set is on for all. `quietHours` replaces ' +
      'yours when given, `null` removes them, absent keeps them. Your sockets (this device and the others) get ' +
      '`preferences:updated`.',
    access: 'authenticated',
    body: updatePreferencesBodySchema,
    responses: { 200: json(preferencesResponseSchema, 'Every type you have set, after the change.') },
    errors: [...tokenErrors, ...bodyErrors, 'UNAVAILABLE'],
  }),
  createDevToken: defineRoute({
    method: 'POST',
    path: '/api/dev/token',
    summary: 'Mint a token for a demo user (development only)',
    description:
      'It mints any role, so it exists only when the server runs with `DEV_TOKENS=true`, never in production ' +
      '(elsewhere it is 404).',
    access: 'public',
    devOnly: true,
    body: devTokenBodySchema,
    responses: { 201: json(devTokenResponseSchema, 'A token for the user.') },
    errors: [...bodyErrors],
  }),
  devMailbox: defineRoute({
    method: 'GET',
    path: '/api/dev/mailbox',
    summary: "A user's development mailbox (development only)",
    description:
      "A server without `SMTP_URL` keeps the emails it sends in its store instead; this shows one user's, newest " +
      'first, at most 50. It exists only with `DEV_TOKENS=true` and without `SMTP_URL`, never in production ' +
      '(elsewhere it is 404).',
    access: 'public',
    devOnly: true,
    query: mailboxQuerySchema,
    responses: { 200: json(mailboxResponseSchema, "The user's messages.") },
    errors: ['VALIDATION_ERROR', 'UNAVAILABLE'],
  }),
  health: defineRoute({
    method: 'GET',
    path: '/health',
    summary: 'Liveness',
    description:
      '200 while the process serves, with its event-loop delay; 503 when it is wedged (its event loop was ' +
      'blocked for 1 s or more within the last 10-20 s, or its embedded store ran one statement past ' +
      '`DATABASE_TIMEOUT_MS` and could not cancel it), so an orchestrator restarts it.',
    access: 'public',
    responses: {
      200: json(healthResponseSchema, 'The process serves.'),
      503: json(blockedResponseSchema, 'The process is wedged.'),
    },
    errors: [],
  }),
  ready: defineRoute({
    method: 'GET',
    path: '/ready',
    summary: 'Readiness',
    description:
      'Whether the store (and Redis, when set) answer; 503 from the moment the process starts draining on SIGTERM.',
    access: 'public',
    responses: {
      200: json(readyResponseSchema, 'Every dependency answers.'),
      503: json(notReadyResponseSchema, 'A dependency does not answer, or the process is draining.'),
    },
    errors: [],
  }),
  metrics: defineRoute({
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics',
    description:
      'Connections, events in and out, handshake failures by code (summed over every worker with `WORKERS`). ' +
      'Public unless the server has `METRICS_TOKEN`; then that bearer token is required (401 `TOKEN_MISSING` ' +
      'without one, `TOKEN_INVALID` with another).',
    access: 'public',
    optionalToken: 'METRICS_TOKEN',
    responses: {
      200: {
        description: 'Prometheus text exposition format 0.0.4.',
        schema: z.string(),
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
      },
    },
    errors: ['TOKEN_MISSING', 'TOKEN_INVALID'],
  }),
  docs: defineRoute({
    method: 'GET',
    path: '/docs',
    summary: 'This contract as a page',
    description: 'Every socket event and HTTP route, generated from the contract package (no script).',
    access: 'public',
    responses: { 200: { description: 'An HTML page.', schema: z.string(), contentType: 'text/html; charset=utf-8' } },
    errors: [],
  }),
  docsStylesheet: defineRoute({
    method: 'GET',
    path: '/docs/contract.css',
    summary: "The page's stylesheet",
    description: 'A file of its own, so the page needs no inline style under its Content-Security-Policy.',
    access: 'public',
    responses: { 200: { description: 'CSS.', schema: z.string(), contentType: 'text/css; charset=utf-8' } },
    errors: [],
  }),
} satisfies Record<string, RouteDef>;

export type RouteName = keyof typeof routes;
