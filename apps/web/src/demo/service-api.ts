import { awardXp } from '../api/gamification.js';
import { fetchDevToken } from '../api/auth.js';
import { publishNotification } from '../api/notifications.js';
import type { CreateNotificationBody } from '../api/types.js';

// The demo plays "your backend": it publishes with a service token, as a real service would.
const SERVICE_IDENTITY = { name: 'Demo service', userId: 'demo-service', role: 'service' } as const;
const RENEW_MARGIN_MS = 30_000;

let cached: { token: string; expiresAt: number } | null = null;
let pending: Promise<string> | null = null;

async function serviceToken(): Promise<string> {
  if (cached && cached.expiresAt - RENEW_MARGIN_MS > Date.now()) return cached.token;
  pending ??= fetchDevToken(SERVICE_IDENTITY)
    .then(({ token, expiresAt }) => {
      cached = { token, expiresAt: Date.parse(expiresAt) };
      return token;
    })
    .finally(() => {
      pending = null;
    });
  return pending;
}

export interface ServiceCall {
  method: 'POST';
  path: string;
  status: number;
  ms: number;
}

async function timed(path: string, run: (token: string) => Promise<{ status: number }>): Promise<ServiceCall> {
  const token = await serviceToken();
  const started = performance.now();
  const { status } = await run(token);
  return { method: 'POST', path, status, ms: Math.round(performance.now() - started) };
}

/** `POST /api/notifications` as a backend would send it. */
export const sendNotification = (body: CreateNotificationBody) =>
  timed('/api/notifications', (token) => publishNotification(token, body));

/** `POST /api/xp` as a backend would send it. */
export const completeMission = (userId: string, displayName: string) =>
  timed('/api/xp', (token) => awardXp(token, { userId, displayName, amount: 50, source: 'mission' }));
