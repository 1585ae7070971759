import { type INestApplication, Injectable, Logger } from '@nestjs/common';
import { type FastifyInstance } from 'fastify';
import { type Server as HttpServer, type ServerResponse } from 'node:http';
import { type Server as IoServer } from 'socket.io';
import { HealthService } from './health.service.js';

/** When each step of a drain ends, counted from the signal. */
export interface DrainTimings {
  /** /ready answers 503 this long while the listener still accepts, so load balancers see it before connections fail. */
  readyGraceMs: number;
  /** HTTP requests still unanswered by then are cut. */
  requestsDeadlineMs: number;
  /** The sockets' connections get until then to close cleanly before they are cut. */
  socketsDeadlineMs: number;
  /** The process exits by then whatever still hangs; a WORKERS primary kills its workers at 10 s. */
  exitDeadlineMs: number;
}

export const DRAIN_TIMINGS: DrainTimings = {
  readyGraceMs: 1000,
  requestsDeadlineMs: 7000,
  socketsDeadlineMs: 8000,
  exitDeadlineMs: 9000,
};

const POLL_MS = 25;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Takes the process out of service without losing what it acknowledged: /ready turns 503, the
 * listener closes, the HTTP requests in flight are answered, then the Socket.IO sockets are closed
 * (clients see `transport close` and reconnect elsewhere) and Nest's shutdown hooks close the store
 * and Redis.
 */
@Injectable()
export class DrainService {
  private readonly logger = new Logger('Drain');
  /** Responses of Fastify's routes not yet closed; Socket.IO's long-polls are not among them. */
  private readonly inFlight = new Set<ServerResponse>();
  private io: IoServer | undefined;

  constructor(private readonly health: HealthService) {}

  watchRequests(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (_request, reply, done) => {
      this.track(reply.raw);
      // A keep-alive client is told to send its next request elsewhere.
      if (this.health.draining) reply.header('connection', 'close');
      done();
    });
  }

  /**
   * For a request answered before Fastify (common/fast-route.ts): counts it in flight and returns true,
   * or returns false while draining, leaving it to Fastify, whose hook above answers it with
   * `Connection: close`.
   */
  admit(res: ServerResponse): boolean {
    if (this.health.draining) return false;
    this.track(res);
    return true;
  }

  private track(res: ServerResponse): void {
    this.inFlight.add(res);
    res.once('close', () => this.inFlight.delete(res));
  }

  /** The Socket.IO server whose sockets a drain closes; it refuses new handshakes from the start of a drain. */
  watchSockets(io: IoServer): void {
    this.io = io;
    const allow = io.engine.opts.allowRequest;
    io.engine.opts.allowRequest = (req, callback) => {
      if (this.health.draining) callback('draining', false);
      else if (allow) allow(req, callback);
      else callback(null, true);
    };
  }

  /** Runs the whole drain, ending with `app.close()`; the caller exits the process afterwards. */
  async drain(app: INestApplication, timings: DrainTimings = DRAIN_TIMINGS): Promise<void> {
    const start = Date.now();
    const http = app.getHttpServer() as HttpServer;
    this.health.startDraining();
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('connection', 'close');

    // A WORKERS worker listens on nothing: its primary stopped handing it connections before the signal.
    if (http.listening) {
      await sleep(timings.readyGraceMs);
      http.close();
      this.logger.log('stopped accepting connections');
    }

    if (!(await until(() => this.inFlight.size === 0, start + timings.requestsDeadlineMs))) {
      // What each request still waited for: the client's body (bytes read so far) or the handler.
      const cut = [...this.inFlight].map(({ req, socket }) => {
        const body = req.complete ? 'body complete' : `body incomplete after ${socket?.bytesRead ?? 0} bytes read`;
        return `${req.method} ${req.url} (${body})`;
      });
      this.logger.warn(`cutting ${cut.length} HTTP requests still unanswered: ${cut.join(', ')}`);
      for (const res of this.inFlight) res.destroy();
    }

    const sockets = this.io?.engine.clientsCount ?? 0;
    this.io?.engine.close();
    // WebSocket close handshakes end on their own and answered long-polls leave idle connections; what is left then is cut.
    await until(async () => {
      http.closeIdleConnections();
      return (await connections(http)) === 0;
    }, start + timings.socketsDeadlineMs);
    http.closeAllConnections();
    this.logger.log(`closed ${sockets} sockets`);

    await app.close();
  }
}

/** Resolves true once `done()` holds, or false at `deadline` (epoch ms). */
async function until(done: () => boolean | Promise<boolean>, deadline: number): Promise<boolean> {
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(POLL_MS, deadline - Date.now()));
  }
}

/** Connections the server accepted itself (a WORKERS worker's are handed over and not counted). */
function connections(http: HttpServer): Promise<number> {
  return new Promise((resolve) => http.getConnections((err, count) => resolve(err ? 0 : count)));
}
