import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  type AckResponse,
  type ClientAckData,
  type ClientEventName,
  clientEventNames,
  clientToServerSchemas,
  type ErrorCode,
  type ServerPayload,
} from '@realtime/contracts';
import { type z } from 'zod';
import { ApiError, knownError } from '../common/api-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import {
  authorizeSession,
  countEvents,
  enforceBudget,
  type EventCall,
  type EventStep,
  type Refusal,
  SocketSession,
  validatePayload,
} from './event-chain.js';
import { type BudgetLimits, budgetLimits } from './socket-budget.js';
import { type AppSocket } from './socket-types.js';
import { WebSocketService } from './websocket.service.js';

export type ClientEventHandler<E extends ClientEventName> = (
  payload: z.output<(typeof clientToServerSchemas)[E]>,
  socket: AppSocket,
) => Promise<ClientAckData<E>>;

type Ack = (response: AckResponse<object>) => void;

/** One bit per refusal code in a socket's log record; codes not listed share the last. */
const REFUSAL_BITS: Partial<Record<ErrorCode, number>> = { VALIDATION_ERROR: 1, RATE_LIMITED: 2, TOKEN_EXPIRED: 4 };
const OTHER_REFUSAL_BIT = 8;
/** How long a socket over budget is not read. */
const THROTTLE_MS = 250;

/**
 * Routes client events to the module that owns them, through one chain: metrics -> rate limit ->
 * validate -> authorize -> handler -> ack. A refused event is answered with a failed ack (and
 * `error` where the contract asks), never raw exception text, and goes no further; only a socket
 * that stays over its budget is disconnected. Events outside the contract have no listener, so
 * Socket.IO ignores them. What a socket does wrong is logged once per socket and kind, not per event.
 */
@Injectable()
export class ClientEventRouter implements OnApplicationBootstrap {
  private readonly logger = new Logger('ClientEventRouter');
  private readonly handlers = new Map<ClientEventName, ClientEventHandler<ClientEventName>>();
  private readonly budget: BudgetLimits;
  private readonly steps: readonly EventStep[];
  private readonly eventBits = new Map(clientEventNames.map((event, i) => [event, 1 << i]));

  constructor(
    private readonly metrics: MetricsService,
    private readonly ws: WebSocketService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.budget = budgetLimits(config.limits);
    this.steps = [countEvents(metrics), enforceBudget(this.budget, metrics), validatePayload, authorizeSession];
  }

  /** Every contract event must have its handler once all modules have registered theirs. */
  onApplicationBootstrap(): void {
    const missing = clientEventNames.filter((e) => !this.handlers.has(e));
    if (missing.length > 0) throw new Error(`no handler registered for ${missing.join(', ')}`);
  }

  handle<E extends ClientEventName>(event: E, handler: ClientEventHandler<E>): void {
    if (this.handlers.has(event)) throw new Error(`a handler for ${event} is already registered`);
    this.handlers.set(event, handler as unknown as ClientEventHandler<ClientEventName>);
  }

  bind(socket: AppSocket): void {
    const session = new SocketSession(socket, this.budget);
    for (const event of clientEventNames) {
      (socket as unknown as { on(ev: string, fn: (...args: unknown[]) => void): void }).on(event, (...args) => {
        this.dispatch(session, event, args);
      });
    }
  }

  private dispatch(session: SocketSession, event: ClientEventName, args: unknown[]): void {
    const ack = typeof args.at(-1) === 'function' ? (args.pop() as Ack) : undefined;
    const call: EventCall = { session, event, payload: args[0] };
    for (const step of this.steps) {
      const refusal = step(call);
      if (refusal) return this.refuse(call, refusal, ack);
    }
    this.run(call, ack);
  }

  private run(call: EventCall, ack: Ack | undefined): void {
    const { budget, queue } = call.session;
    // Beyond the cap an admitted event waits its turn: the socket's database work stays bounded.
    if (this.budget.maxInFlight > 0 && budget.inFlight >= this.budget.maxInFlight) {
      budget.waiting++;
      queue.push(() => {
        budget.waiting--;
        void this.handleNow(call, ack);
      });
      return;
    }
    void this.handleNow(call, ack);
  }

  private async handleNow(call: EventCall, ack: Ack | undefined): Promise<void> {
    const { session, event } = call;
    session.budget.inFlight++;
    try {
      const data = await this.handlers.get(event)!(call.payload as never, session.socket);
      ack?.({ ok: true, ...data });
    } catch (err) {
      const error = knownError(err) ?? this.internal(call, err);
      if (ack) ack({ ok: false, error: { code: error.code, message: error.message } });
      else this.ws.emitToSocket(session.socket, 'error', errorPayload(error, event));
    } finally {
      session.budget.inFlight--;
      session.queue.shift()?.();
    }
  }

  private refuse({ session, event }: EventCall, refusal: Refusal, ack: Ack | undefined): void {
    ack?.(refusal.ack);
    if (refusal.throttle) this.throttle(session);
    if (refusal.error) this.ws.emitToSocket(session.socket, 'error', refusal.error);
    const { socket } = session;
    if (refusal.disconnect) {
      this.metrics.rateLimitDisconnects.inc();
      this.logger.warn(`socket ${socket.id} of user ${socket.data.userId} disconnected: ${refusal.error?.message}`);
      socket.disconnect(true);
      return;
    }
    const { code, message } = refusal.ack.error;
    const bit = REFUSAL_BITS[code] ?? OTHER_REFUSAL_BIT;
    if (session.loggedRefusals & bit) return;
    session.loggedRefusals |= bit;
    this.logger.warn(
      `socket ${socket.id} of user ${socket.data.userId}: ${event} refused with ${code} (${message}); ` +
        `its later ${code} refusals are not logged`,
    );
  }

  /**
   * Refusing a flood costs little per event, but parsing it does not: over budget, a WebSocket is
   * not read for THROTTLE_MS, so what the client keeps sending waits in its own buffers (TCP pushes
   * back) instead of on this process's event loop. Still over budget afterwards, it is paused again.
   */
  private throttle(session: SocketSession): void {
    if (session.throttled) return;
    const ws = (session.socket.conn as unknown as { transport?: { socket?: { pause?(): void; resume?(): void } } })
      .transport?.socket;
    if (typeof ws?.pause !== 'function' || typeof ws.resume !== 'function') return;
    ws.pause();
    session.throttled = setTimeout(() => {
      session.throttled = null;
      ws.resume!();
    }, THROTTLE_MS);
    session.throttled.unref();
  }

  private internal({ session, event }: EventCall, err: unknown): ApiError {
    const bit = this.eventBits.get(event)!;
    if (!(session.loggedFailures & bit)) {
      session.loggedFailures |= bit;
      const { socket } = session;
      this.logger.error(
        `socket ${socket.id} of user ${socket.data.userId}: ${event} failed (its later ${event} failures are not logged): ` +
          `${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    }
    return new ApiError('INTERNAL_ERROR', 'internal error');
  }
}

function errorPayload(error: ApiError, event: ClientEventName): ServerPayload<'error'> {
  const payload: ServerPayload<'error'> = { message: error.message, code: error.code, event };
  if (error.issues) payload.issues = error.issues;
  return payload;
}
