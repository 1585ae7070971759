import type { z } from 'zod';
import type { Role } from './auth.js';
import { type ErrorCode } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Who may call a route: anyone, any valid bearer token, or a token with one of these roles. */
export type RouteAccess = 'public' | 'authenticated' | readonly [Role, ...Role[]];

/** One answer of a route: a JSON body (`schema`), another content type, or no body at all. */
export interface ResponseDef {
  description: string;
  /** What the body holds; absent for a response without one (204). */
  schema?: z.ZodType;
  /** `application/json` unless said. */
  contentType?: string;
}

/** One HTTP route as data: everything a client, the server and the documents need to agree on. */
export interface RouteDef {
  method: HttpMethod;
  /** The path, parameters as `:name` (as Nest and Fastify write them). */
  path: string;
  /** One line, imperative. */
  summary: string;
  description: string;
  access: RouteAccess;
  /** Mounted only when the server runs with `DEV_TOKENS=true`, never in production. */
  devOnly?: true;
  /** A bearer token that is optional, set by the operator (`METRICS_TOKEN`), for a public route. */
  optionalToken?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** Every answer by status, the errors excepted. */
  responses: Record<number, ResponseDef>;
  /** Every error code it may answer with, as `{ statusCode, code, message }` (500 `INTERNAL_ERROR` aside). */
  errors: readonly HttpErrorCode[];
}

/** Declares a route, keeping its literal types (method, path, statuses) for the helpers below. */
export const defineRoute = <const R extends RouteDef>(route: R): R => route;

/** A JSON answer. */
export const json = <S extends z.ZodType>(schema: S, description: string) => ({ schema, description });

/** An answer without a body. */
export const noContent = (description: string) => ({ description });

/** The error codes HTTP answers with (`TOO_MANY_CONNECTIONS` refuses sockets only). */
export type HttpErrorCode = Exclude<ErrorCode, 'TOO_MANY_CONNECTIONS'>;

/** The status each error code is answered with over HTTP. */
export const errorStatus = {
  TOKEN_MISSING: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  RATE_LIMITED: 429,
  IDEMPOTENCY_KEY_REUSED: 422,
  VALIDATION_ERROR: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const satisfies Record<HttpErrorCode, number>;

/** `METHOD /path`, e.g. `POST /api/notifications`: how logs and idempotency scopes name a route. */
export const routeId = (route: Pick<RouteDef, 'method' | 'path'>): string => `${route.method} ${route.path}`;

type Part<R extends RouteDef, K extends 'params' | 'query' | 'headers' | 'body'> = R[K] extends z.ZodType
  ? z.input<R[K]>
  : undefined;
type Parsed<R extends RouteDef, K extends 'params' | 'query' | 'headers' | 'body'> = R[K] extends z.ZodType
  ? z.output<R[K]>
  : undefined;

/** The body a caller sends to route `R`. */
export type RouteBody<R extends RouteDef> = Part<R, 'body'>;
/** The query string a caller sends to route `R`. */
export type RouteQuery<R extends RouteDef> = Part<R, 'query'>;
/** The path parameters of route `R`. */
export type RouteParams<R extends RouteDef> = Part<R, 'params'>;
/** The headers route `R` reads (besides `Authorization`). */
export type RouteHeaders<R extends RouteDef> = Part<R, 'headers'>;

/** What the server has once it parsed a request to route `R` with its schemas (defaults applied). */
export interface ParsedRequest<R extends RouteDef> {
  params: Parsed<R, 'params'>;
  query: Parsed<R, 'query'>;
  headers: Parsed<R, 'headers'>;
  body: Parsed<R, 'body'>;
}

/** The statuses route `R` answers with, errors aside. */
export type RouteStatus<R extends RouteDef> = keyof R['responses'] & number;

/** Route `R`'s 2xx statuses. */
export type SuccessStatus<R extends RouteDef> = Extract<RouteStatus<R>, 200 | 201 | 202 | 204>;

/** The body of route `R`'s answer with status `S` (its 2xx answers by default); `void` without one. */
export type RouteResponse<R extends RouteDef, S extends RouteStatus<R> = SuccessStatus<R>> = S extends unknown
  ? R['responses'][S] extends { schema: infer B extends z.ZodType }
    ? z.output<B>
    : void
  : never;
