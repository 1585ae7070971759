import type { ClientToServerEvents, ServerToClientEvents } from '@realtime/contracts';
import type { Socket } from 'socket.io-client';
import type { GetToken } from './http-types.js';
import { MAX_TIMER_MS, readToken, refreshDelay, type TokenInfo } from './token.js';

const MIN_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/**
 * Renews a connected socket's session in band before its token expires (`auth:refresh`): same socket, no
 * reconnect. A renewal that fails is tried again while the token lasts; past that the server ends the
 * session, and the reconnect takes a fresh token.
 */
export class SessionRefresh {
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Grows on every start and stop: a renewal begun for an earlier session is dropped. */
  private run = 0;

  constructor(
    private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>,
    private readonly getToken: GetToken,
    private readonly ackTimeoutMs: number,
    /** The server refused the new token as revoked: the session must end. */
    private readonly revoked: (message: string) => void,
  ) {}

  /** The socket connected with `token` (null for a token whose expiry cannot be read: nothing to schedule). */
  start(token: TokenInfo | null): void {
    this.stop();
    if (token) this.schedule(token, refreshDelay(token));
  }

  stop(): void {
    this.run += 1;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(current: TokenInfo, delay: number): void {
    const run = this.run;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (run === this.run) void this.renew(current, run);
      },
      Math.min(MAX_TIMER_MS, delay),
    );
  }

  private async renew(current: TokenInfo, run: number): Promise<void> {
    const stale = () => run !== this.run || !this.socket.connected;
    const retry = () => {
      const remaining = current.expiresAt - Date.now();
      if (!stale() && remaining > 0)
        this.schedule(current, Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, remaining / 4)));
    };
    let raw: string;
    try {
      raw = await this.getToken({ reason: 'refresh' });
    } catch {
      return retry();
    }
    if (stale()) return;
    const next = raw ? readToken(raw) : null;
    // The server refuses a token that ends sooner; one that ends no later would extend nothing.
    if (!next || next.expiresAt <= current.expiresAt) return retry();
    try {
      const ack = await this.socket.timeout(this.ackTimeoutMs).emitWithAck('auth:refresh', { token: raw });
      if (stale()) return;
      if (ack.ok) return this.schedule(next, refreshDelay(next));
      if (ack.error.code === 'TOKEN_REVOKED') return this.revoked(ack.error.message);
    } catch {
      // No answer in time: try again while the current token lasts.
    }
    retry();
  }
}
