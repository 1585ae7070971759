import { HttpStatus, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  type AckResponse,
  type ClientAckData,
  type ClientEventName,
  clientEventNames,
  clientToServerSchemas,
  type ServerPayload,
} from '@realtime/contracts';
import { type z } from 'zod';
import { ApiError, knownError } from '../common/api-error.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { type AppSocket } from './socket-types.js';
import { WebSocketService } from './websocket.service.js';

export type ClientEventHandler<E extends ClientEventName> = (
  payload: z.output<(typeof clientToServerSchemas)[E]>,
  socket: AppSocket,
) => Promise<ClientAckData<E>>;

type Ack = (response: AckResponse<object>) => void;

/**
 * Routes client events to the module that owns them. Every payload is checked against its contract
 * schema first; failures answer a failed ack (and `error`), never raw exception text, and never
 * disconnect. Events outside the contract have no listener, so Socket.IO ignores them.
 */
@Injectable()
export class ClientEventRouter implements OnApplicationBootstrap {
  private readonly logger = new Logger('ClientEventRouter');
  private readonly handlers = new Map<ClientEventName, ClientEventHandler<ClientEventName>>();

  constructor(
    private readonly metrics: MetricsService,
    private readonly ws: WebSocketService,
  ) {}

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
    for (const event of clientEventNames) {
      (socket as unknown as { on(ev: string, fn: (...args: unknown[]) => void): void }).on(event, (...args) => {
        void this.dispatch(socket, event, args);
      });
    }
  }

  private async dispatch(socket: AppSocket, event: ClientEventName, args: unknown[]): Promise<void> {
    this.metrics.eventsIn.inc({ event });
    const ack = typeof args.at(-1) === 'function' ? (args.pop() as Ack) : undefined;
    const parsed = clientToServerSchemas[event].safeParse(args[0]);
    if (!parsed.success) {
      const error = ApiError.validation(parsed.error);
      this.emitError(socket, event, error);
      ack?.({ ok: false, error: { code: error.code, message: error.message, issues: error.issues } });
      return;
    }
    try {
      const data = await this.handlers.get(event)!(parsed.data, socket);
      ack?.({ ok: true, ...data });
    } catch (err) {
      const error = knownError(err) ?? this.internal(event, err);
      if (ack) ack({ ok: false, error: { code: error.code, message: error.message } });
      else this.emitError(socket, event, error);
    }
  }

  private emitError(socket: AppSocket, event: ClientEventName, error: ApiError): void {
    const payload: ServerPayload<'error'> = { message: error.message, code: error.code, event };
    if (error.issues) payload.issues = error.issues;
    this.ws.emitToSocket(socket, 'error', payload);
  }

  private internal(event: ClientEventName, err: unknown): ApiError {
    this.logger.error(`${event} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return new ApiError('INTERNAL_ERROR', 'internal error', HttpStatus.INTERNAL_SERVER_ERROR);
  }
}
