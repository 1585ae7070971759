import { createHttpClient, type RouteAnswer } from '@realtime/client';
import type { DevTokenBody } from '@realtime/contracts';
import { GatewayError } from './failures.js';

/** The answer of `POST /api/dev/token`: a signed token and whom it is for. */
export type DevToken = RouteAnswer<'createDevToken'>;

// Signing in comes before any realtime client: the public route gets a typed client of its own, on this origin.
const publicHttp = createHttpClient({ url: '' });

/** Mints a token on a development server (`DEV_TOKENS=true`); production servers do not mount the route. */
export async function mintDevToken(body: DevTokenBody): Promise<DevToken> {
  const res = await publicHttp.createDevToken({ body });
  if (!res.ok) throw new GatewayError(res.error);
  return res.body;
}
