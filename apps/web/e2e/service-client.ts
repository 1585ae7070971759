/** Calls the gateway as a backend would, with a service token; the tests use it to publish. */
export class ServiceClient {
  private token: string | null = null;

  constructor(private readonly baseUrl: string) {}

  private async call(method: string, path: string, body?: unknown, token?: string): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private async serviceToken(): Promise<string> {
    if (this.token) return this.token;
    const res = await this.call('POST', '/api/dev/token', {
      name: 'E2E service',
      userId: 'e2e-service',
      role: 'service',
    });
    if (res.status !== 201) throw new Error(`dev token: ${res.status} ${await res.text()}`);
    this.token = ((await res.json()) as { token: string }).token;
    return this.token;
  }

  /** How many sockets the gateway holds for `userId` (`GET /api/presence/:userId`). */
  async connections(userId: string): Promise<number> {
    const res = await this.call(
      'GET',
      `/api/presence/${encodeURIComponent(userId)}`,
      undefined,
      await this.serviceToken(),
    );
    if (res.status !== 200) throw new Error(`GET /api/presence: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { connections: number }).connections;
  }

  /** Where `userId`'s email goes (`GET /api/users/:userId/email`): the claim of their latest token, or null. */
  async emailAddress(userId: string): Promise<string | null> {
    const res = await this.call(
      'GET',
      `/api/users/${encodeURIComponent(userId)}/email`,
      undefined,
      await this.serviceToken(),
    );
    if (res.status !== 200) throw new Error(`GET /api/users/:userId/email: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { email: string | null }).email;
  }

  private async publish(method: string, path: string, body: unknown, expected: number): Promise<Response> {
    const res = await this.call(method, path, body, await this.serviceToken());
    if (res.status !== expected) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  }

  /** `POST /api/notifications` to one user; resolves with how many were stored (0 when their preferences mute the type). */
  async notify(
    userId: string,
    title: string,
    { type = 'info', critical, message = 'Sent by the end-to-end suite.' }: NotifyOptions = {},
  ): Promise<number> {
    const res = await this.publish('POST', '/api/notifications', { userId, type, critical, title, message }, 201);
    return ((await res.json()) as { notifications: unknown[] }).notifications.length;
  }

  /** `POST /api/xp`. */
  async awardXp(userId: string, amount: number, displayName?: string): Promise<void> {
    await this.publish('POST', '/api/xp', { userId, amount, source: 'e2e', displayName }, 200);
  }

  /** `PUT /api/groups/:groupId/members`. */
  async addMembers(groupId: string, userIds: string[]): Promise<void> {
    await this.publish('PUT', `/api/groups/${encodeURIComponent(groupId)}/members`, { userIds }, 200);
  }
}

export interface NotifyOptions {
  type?: string;
  /** Delivered even when the user's preferences mute the type. */
  critical?: boolean;
  message?: string;
}
