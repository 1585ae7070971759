import { createHttpClient, type GetToken } from '@realtime/client';
import { type CreateNotificationBody, type RouteDef, routes } from '@realtime/contracts';
import { mintDevToken } from '../gateway/dev-tokens.js';
import { type Failure, GatewayError } from '../gateway/failures.js';

// The demo plays "your backend": it publishes with a service token, as a real service would.
const SERVICE_IDENTITY = { name: 'Demo service', userId: 'demo-service', role: 'service' } as const;
const RENEW_MARGIN_MS = 30_000;

let cached: { token: string; expiresAt: number } | null = null;
let pending: Promise<string> | null = null;

const serviceToken: GetToken = ({ reason }) => {
  if (reason === 'rejected') cached = null;
  if (cached && cached.expiresAt - RENEW_MARGIN_MS > Date.now()) return cached.token;
  pending ??= mintDevToken(SERVICE_IDENTITY)
    .then(({ token, expiresAt }) => {
      cached = { token, expiresAt: Date.parse(expiresAt) };
      return token;
    })
    .finally(() => {
      pending = null;
    });
  return pending;
};

// The SDK's typed HTTP client, as a backend in TypeScript would use it.
const backend = createHttpClient({ url: '', getToken: serviceToken });

export interface ServiceCall {
  method: RouteDef['method'];
  path: string;
  status: number;
  ms: number;
}

async function timed(
  route: RouteDef,
  call: () => Promise<{ status: number; error?: Failure | undefined }>,
): Promise<ServiceCall> {
  // The token first, so the time shown is the call's own.
  await serviceToken({ reason: 'http' });
  const started = performance.now();
  const res = await call();
  if (res.error) throw new GatewayError(res.error);
  return { method: route.method, path: route.path, status: res.status, ms: Math.round(performance.now() - started) };
}

/** `POST /api/notifications` as a backend would send it. */
export const sendNotification = (body: CreateNotificationBody) =>
  timed(routes.createNotification, () => backend.createNotification({ body }));

/** `PUT /api/groups/:groupId/members`: a backend enrols the user; their sockets join the group's room live. */
export const joinGroup = (groupId: string, userId: string) =>
  timed(routes.addGroupMembers, () => backend.addGroupMembers({ params: { groupId }, body: { userIds: [userId] } }));

/** `POST /api/xp` as a backend would send it. */
export const completeMission = (userId: string, displayName: string) =>
  timed(routes.awardXp, () => backend.awardXp({ body: { userId, displayName, amount: 50, source: 'mission' } }));
