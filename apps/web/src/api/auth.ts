import type { Role } from '@realtime/contracts';
import { request } from './http.js';
import type { DevToken } from './types.js';

export interface DevTokenRequest {
  name: string;
  /** Derived from `name` by the server when absent. */
  userId?: string;
  role?: Role;
}

/** Mints a token on a development server; production servers do not mount this route. */
export function fetchDevToken(body: DevTokenRequest, signal?: AbortSignal): Promise<DevToken> {
  return request<DevToken>('/api/dev/token', { method: 'POST', body, signal });
}
