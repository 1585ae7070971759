import { Inject, Logger } from '@nestjs/common';
import { type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { userRoom } from '@realtime/contracts';
import { TokenVerifier } from '../auth/token-verifier.js';
import { wsJwtMiddleware } from '../auth/ws-jwt.middleware.js';
import { ApiError } from '../common/api-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ClientEventRouter } from './client-event-router.js';
import { ConnectionCaps, connectionLimits } from './connection-caps.js';
import { ConnectionHooks } from './connection-hooks.js';
import { SESSIONS_FULL } from './realtime-io.adapter.js';
import { SessionExpiry } from './session-expiry.js';
import { type AppServer, type AppSocket } from './socket-types.js';
import { WebSocketService } from './websocket.service.js';

/** Owns the socket lifecycle: handshake auth and connection caps, the user's room, session expiry and refresh. */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit<AppServer>, OnGatewayDisconnect<AppSocket> {
  private readonly logger = new Logger('RealtimeGateway');
  private readonly caps: ConnectionCaps;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly router: ClientEventRouter,
    private readonly expiry: SessionExpiry,
    private readonly hooks: ConnectionHooks,
    private readonly ws: WebSocketService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.caps = new ConnectionCaps(connectionLimits(config.limits), metrics);
    router.handle('auth:refresh', async ({ token }, socket) => {
      const result = await verifier.verify(token);
      if (!result.ok) throw new ApiError(result.code, `refresh refused: ${result.reason}`);
      const { principal } = result;
      if (principal.userId !== socket.data.userId) throw ApiError.forbidden('refresh token belongs to another user');
      if (principal.expiresAt < socket.data.expiresAt) {
        throw new ApiError('TOKEN_INVALID', 'refresh refused: the token expires before the current one');
      }
      socket.data = { ...socket.data, ...principal };
      this.expiry.schedule(socket);
      return { expiresAt: new Date(principal.expiresAt).toISOString() };
    });
  }

  afterInit(server: AppServer): void {
    server.use(wsJwtMiddleware(this.verifier, this.metrics));
    server.use(this.caps.middleware);
    // Sessions refused by the adapter's allowRequest, before Socket.IO knows of them.
    server.engine.on('connection_error', (err: { context?: { message?: unknown } }) => {
      if (err.context?.message !== SESSIONS_FULL) return;
      this.metrics.handshakeFailures.inc({ code: 'TOO_MANY_CONNECTIONS' });
      this.metrics.connectionsRefused.inc({ code: 'TOO_MANY_CONNECTIONS', cap: 'sessions' });
    });
    this.ws.attach(server);
    // Taken from Socket.IO itself rather than as Nest's handleConnection, which relays every
    // connection through RxJS subjects: work on each handshake that this gateway has no use for.
    server.on('connection', (socket) => this.connected(socket));
  }

  private connected(socket: AppSocket): void {
    const { userId, email } = socket.data;
    this.metrics.connections.inc();
    // Handlers first, so nothing the client sends right after connecting is dropped.
    this.router.bind(socket);
    this.expiry.schedule(socket);
    this.ws.emitToSocket(socket, 'authenticated', { success: true, userId, email });
    // From here the socket's notifications pass its cursor, which holds them until its handshake's
    // replay is out (see delivery/delivery.service.ts).
    void socket.join(userRoom(userId));
    this.hooks.run(socket, (err) => {
      this.logger.error(`connection hooks failed for ${userId}: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  handleDisconnect(socket: AppSocket): void {
    this.metrics.connections.dec();
    this.expiry.cancel(socket);
  }
}
