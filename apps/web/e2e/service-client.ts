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

  async notify(userId: string, title: string, message = 'Sent by the end-to-end suite.'): Promise<void> {
    const res = await this.call(
      'POST',
      '/api/notifications',
      { userId, type: 'info', title, message },
      await this.serviceToken(),
    );
    if (res.status !== 201) throw new Error(`POST /api/notifications: ${res.status} ${await res.text()}`);
  }
}
