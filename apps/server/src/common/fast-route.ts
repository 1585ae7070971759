import { Injectable } from '@nestjs/common';
import { Buffer } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parse as secureJsonParse } from 'secure-json-parse';

/** Request bodies larger than this are refused with 413 (by Fastify; a fast route leaves them to it). */
export const BODY_LIMIT_BYTES = 256 * 1024;

/**
 * Answers `req` and returns true, or returns false (having touched nothing) for Fastify to answer it.
 * It decides from the request line and headers alone, before reading the body.
 */
export type FastHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Requests answered straight from Node's HTTP server, before Fastify, for the routes whose CPU per
 * request is the product (`POST /api/events`): Fastify's request and reply objects, its six
 * `onRequest` hooks (CORS, the drain's, four more of Nest's adapter) and its body parsing are work
 * such a request does not need (measured in the README's "Before Fastify"). A handler takes
 * only requests that need none of them: no `Origin` (no CORS), a JSON body of a declared length within
 * the limit; everything else (a browser's request, a chunked or oversized body, another content type, a
 * request while draining) goes to Fastify, which answers it as before. The exact path only: a query
 * string goes to Fastify too.
 */
@Injectable()
export class FastRoutes {
  private readonly handlers = new Map<string, FastHandler>();

  add(method: string, path: string, handler: FastHandler): void {
    this.handlers.set(`${method} ${path}`, handler);
  }

  /** Whether a fast handler answered `req`. */
  dispatch(req: IncomingMessage, res: ServerResponse): boolean {
    const handler = this.handlers.get(`${req.method} ${req.url}`);
    return handler !== undefined && handler(req, res);
  }
}

/** Fastify's server options that apply to the HTTP/1 server it would create itself. */
interface Http1Options {
  keepAliveTimeout: number;
  requestTimeout: number;
  connectionTimeout: number;
  maxRequestsPerSocket?: number | null;
}

/**
 * Fastify's `serverFactory`: the HTTP/1 server Fastify would create (with its timeouts), whose
 * requests go to `fast()` first. `fast` is read per request: the routes exist once the app is built.
 */
export function fastServerFactory(fast: () => FastRoutes | undefined) {
  return (handler: (req: IncomingMessage, res: ServerResponse) => void, opts: Record<string, unknown>): Server => {
    const options = opts as unknown as Http1Options;
    const server = createServer((req, res) => {
      if (!fast()?.dispatch(req, res)) handler(req, res);
    });
    // As Fastify's own getServerInstance does for HTTP/1.
    server.keepAliveTimeout = options.keepAliveTimeout;
    server.requestTimeout = options.requestTimeout;
    server.setTimeout(options.connectionTimeout);
    if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };
}

const JSON_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * Whether `req` is a plain JSON request a fast handler may take: no `Origin` (a browser's request
 * needs CORS), `content-type: application/json` (UTF-8), a `content-length` of at most `limit` bytes
 * and no `transfer-encoding`.
 */
export function plainJsonRequest(req: IncomingMessage, limit: number): boolean {
  const { headers } = req;
  if (headers.origin !== undefined || headers['transfer-encoding'] !== undefined) return false;
  const type = headers['content-type'];
  if (type === undefined || !(type === 'application/json' || JSON_TYPE.test(type))) return false;
  const length = headers['content-length'];
  return length !== undefined && /^\d{1,9}$/.test(length) && Number(length) <= limit;
}

/** Why a JSON body was refused, in the words Fastify's parser is answered with (HttpExceptionFilter). */
export class BodyError extends Error {
  constructor(readonly code: 'FST_ERR_CTP_EMPTY_JSON_BODY' | 'FST_ERR_CTP_INVALID_JSON_BODY') {
    super(code);
  }
}

/**
 * Reads a {@link plainJsonRequest}'s body and parses it as Fastify's default JSON parser does
 * (`__proto__` and `constructor.prototype` keys refused), then calls `onBody` with the value or a
 * {@link BodyError}. A request that ends early (the client went away) calls nothing.
 */
export function readJsonBody(req: IncomingMessage, onBody: (body: unknown, error?: BodyError) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (chunks.length === 0) return onBody(undefined, new BodyError('FST_ERR_CTP_EMPTY_JSON_BODY'));
    const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
    let body: unknown;
    try {
      body = secureJsonParse(text, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      return onBody(undefined, new BodyError('FST_ERR_CTP_INVALID_JSON_BODY'));
    }
    onBody(body);
  });
}

/** Sends `body` as JSON with `status`, as Fastify's reply would (less the CORS headers it has no use for). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body) ?? '';
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
