import { request, send } from './http.js';
import type { AwardXpBody, LeaderboardEntry, Profile } from './types.js';

export function fetchProfile(token: string, signal?: AbortSignal): Promise<Profile> {
  return request<Profile>('/api/profile', { token, signal });
}

export function fetchLeaderboard(token: string, signal?: AbortSignal): Promise<{ leaderboard: LeaderboardEntry[] }> {
  return request<{ leaderboard: LeaderboardEntry[] }>('/api/leaderboard', { token, signal });
}

/** What a backend calls to award XP: needs a `service` or `admin` token. */
export function awardXp(serviceToken: string, body: AwardXpBody) {
  return send<Profile>('/api/xp', { method: 'POST', token: serviceToken, body });
}
