import type { ClientToServerEvents, ErrorCode, ServerPayload, ServerToClientEvents } from '@realtime/contracts';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { GetToken, TokenReason } from './http-types.js';
import { SessionRefresh } from './session-refresh.js';
import { readToken, type TokenInfo } from './token.js';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Why the client stopped for good: the server refused its token, or no token could be had. */
export type FailureCode = 'TOKEN_MISSING' | 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'TOKEN_REVOKED' | 'TOKEN_UNAVAILABLE';

export interface ConnectionFailure {
  code: FailureCode;
  message: string;
}

/** The transport's side of the state; `online` becomes `connected` or `synced` in the client. */
export type Phase = 'disconnected' | 'connecting' | 'online' | 'failed';

export interface ConnectionOptions {
  url: string;
  path: string;
  getToken: GetToken;
  ackTimeoutMs: number;
  socketOptions: Partial<ManagerOptions & SocketOptions>;
}

export interface ConnectionHooks {
  /** Before each handshake, with the token's claims: resolves with the `lastSeq` to send, or null for none. */
  handshake(token: TokenInfo | null): Promise<number | null>;
  phaseChanged(reason: string | undefined): void;
  disconnected(): void;
}

// A token refused as expired is replaced this many times in a row before the client gives up.
const MAX_TOKEN_RETRIES = 2;
// Codes of an `error` the server sends right before it disconnects the socket.
const SESSION_ENDING: ReadonlySet<ErrorCode> = new Set(['TOKEN_EXPIRED', 'RATE_LIMITED', 'UNAVAILABLE']);

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The one socket: connects when told, asks for a token on every handshake, keeps the session renewed,
 * and decides after each refusal or kick whether to retry, take a fresh token, or stop.
 */
export class Connection {
  readonly socket: AppSocket;
  phase: Phase = 'disconnected';
  failure: ConnectionFailure | null = null;
  private readonly refresh: SessionRefresh;
  /** The claims of the token the last handshake offered. */
  private offered: TokenInfo | null = null;
  private nextReason: TokenReason = 'connect';
  private tokenRetries = 0;
  /** The code of the server's `error` that announced the end of the session. */
  private kick: ErrorCode | undefined;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Grows whenever the client stops: a handshake begun earlier is not sent. */
  private run = 0;
  private readonly baseDelay: number;
  private readonly maxDelay: number;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly hooks: ConnectionHooks,
  ) {
    this.baseDelay = options.socketOptions.reconnectionDelay ?? 1000;
    this.maxDelay = options.socketOptions.reconnectionDelayMax ?? 5000;
    this.socket = io(options.url, {
      path: options.path,
      // WebSocket first needs no sticky sessions in a cluster; polling stays as the fallback.
      transports: ['websocket', 'polling'],
      forceNew: true,
      ...options.socketOptions,
      autoConnect: false,
      auth: (cb) => {
        const run = this.run;
        void this.handshakeAuth().then((auth) => {
          if (auth && run === this.run) cb(auth);
        });
      },
    });
    this.refresh = new SessionRefresh(this.socket, options.getToken, options.ackTimeoutMs, (text) =>
      this.fail('TOKEN_REVOKED', text),
    );
    this.socket.on('connect', () => this.onConnect());
    this.socket.on('connect_error', (err) => this.onConnectError(err));
    this.socket.on('disconnect', (reason) => this.onDisconnect(reason));
    this.socket.io.on('reconnect_attempt', () => {
      if (this.phase === 'disconnected') this.setPhase('connecting');
    });
    this.socket.io.on('reconnect_failed', () => this.setPhase('disconnected', 'reconnect_failed'));
  }

  connect(): void {
    if (this.phase === 'connecting' || this.phase === 'online') return;
    this.failure = null;
    this.tokenRetries = 0;
    this.retries = 0;
    this.setPhase('connecting');
    this.socket.connect();
  }

  disconnect(): void {
    this.stop();
    this.socket.disconnect();
    this.setPhase('disconnected', 'io client disconnect');
  }

  /** A server `error` event: a revoked session stops at once; the others that end a session explain the disconnect. */
  serverError({ code, message: text }: ServerPayload<'error'>): void {
    if (code === 'TOKEN_REVOKED') return this.fail('TOKEN_REVOKED', text);
    if (code && SESSION_ENDING.has(code)) this.kick = code;
  }

  private stop(): void {
    this.run += 1;
    this.refresh.stop();
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private fail(code: FailureCode, text: string): void {
    if (this.phase === 'failed') return;
    this.stop();
    this.failure = { code, message: text };
    // Set before disconnecting, so the disconnect it causes is not taken for a reason to reconnect.
    this.setPhase('failed', code);
    this.socket.disconnect();
  }

  private async handshakeAuth(): Promise<{ token: string; lastSeq?: number } | null> {
    const reason = this.nextReason;
    this.nextReason = 'connect';
    let raw: string;
    try {
      raw = await this.options.getToken({ reason });
    } catch (err) {
      this.fail('TOKEN_UNAVAILABLE', `getToken failed: ${message(err)}`);
      return null;
    }
    if (!raw) {
      this.fail('TOKEN_MISSING', 'getToken returned no token');
      return null;
    }
    const info = readToken(raw);
    const lastSeq = await this.hooks.handshake(info);
    this.offered = info;
    return lastSeq === null ? { token: raw } : { token: raw, lastSeq };
  }

  private onConnect(): void {
    this.tokenRetries = 0;
    this.retries = 0;
    this.kick = undefined;
    this.setPhase('online');
    this.refresh.start(this.offered);
  }

  private onConnectError(err: Error): void {
    if (this.phase === 'failed') return;
    const code = (err as Error & { data?: { code?: unknown } }).data?.code;
    if (typeof code !== 'string') {
      // The transport failed; the manager retries while the socket is active.
      if (!this.socket.active) this.setPhase('disconnected', err.message);
      return;
    }
    switch (code) {
      case 'TOKEN_EXPIRED':
        return this.replaceToken(err.message);
      case 'TOKEN_INVALID':
      case 'TOKEN_REVOKED':
      case 'TOKEN_MISSING':
        return this.fail(code, `the server refused the token (${code})`);
      default:
        // TOO_MANY_CONNECTIONS, or a code this SDK does not know: not the token's fault, so try again later.
        this.setPhase('disconnected', code);
        this.retryLater();
    }
  }

  private onDisconnect(reason: string): void {
    this.refresh.stop();
    this.hooks.disconnected();
    if (this.phase === 'failed' || reason === 'io client disconnect') return;
    const kick = this.kick;
    this.kick = undefined;
    if (reason !== 'io server disconnect') {
      // The transport dropped: the manager reconnects, each attempt with a fresh handshake.
      this.setPhase('disconnected', reason);
      return;
    }
    // The server ended the session; socket.io does not reconnect by itself after that.
    if (kick === 'TOKEN_EXPIRED') return this.replaceToken('the session expired before its token was renewed');
    this.setPhase('disconnected', kick ?? reason);
    this.retryLater();
  }

  /** An expired token: a fresh one is asked for (`rejected`), a few times in a row at most. */
  private replaceToken(text: string): void {
    this.tokenRetries += 1;
    if (this.tokenRetries > MAX_TOKEN_RETRIES) return this.fail('TOKEN_EXPIRED', text);
    this.nextReason = 'rejected';
    this.setPhase('connecting', 'TOKEN_EXPIRED');
    this.socket.connect();
  }

  private retryLater(): void {
    if (this.retryTimer !== null) return;
    const delay = Math.min(this.maxDelay, this.baseDelay * 2 ** this.retries) * (0.5 + Math.random() / 2);
    this.retries += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.phase !== 'disconnected') return;
      this.setPhase('connecting');
      this.socket.connect();
    }, delay);
  }

  private setPhase(phase: Phase, reason?: string): void {
    if (this.phase === phase) return;
    this.phase = phase;
    this.hooks.phaseChanged(reason);
  }
}
