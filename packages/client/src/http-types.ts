import type {
  RouteBody,
  RouteDef,
  RouteHeaders,
  RouteName,
  RouteParams,
  RouteQuery,
  RouteResponse,
  RouteStatus,
  routes,
  SuccessStatus,
  ValidationIssue,
} from '@realtime/contracts';

/** Why a token is asked for: a (re)connect, a renewal before expiry, a refused one to replace, an HTTP call. */
export type TokenReason = 'connect' | 'refresh' | 'rejected' | 'http';

/** Returns a JWT for the user; called on every handshake, renewal and HTTP request, so cache it as you see fit. */
export type GetToken = (context: { reason: TokenReason }) => string | Promise<string>;

/** The `fetch` the SDK needs: the global one in browsers and Node 18+, or any compatible implementation. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

/** Failures that never reached the gateway, or whose answer could not be read. */
export type TransportErrorCode = 'NETWORK_ERROR' | 'ABORTED' | 'BAD_RESPONSE';

/** The error codes route `R` declares, plus what any call may end with; other strings are possible from newer servers. */
export type RouteErrorCode<R extends RouteDef> =
  | R['errors'][number]
  | 'INTERNAL_ERROR'
  | TransportErrorCode
  // Keeps the literals above for completion while admitting codes this SDK does not know yet.
  | (string & {});

/** The body of every HTTP error: `{ statusCode, code, message }` (`statusCode` 0 when nothing was answered). */
export interface HttpErrorBody<Code extends string = string> {
  statusCode: number;
  code: Code;
  message: string;
  issues?: ValidationIssue[];
}

type Answer<R extends RouteDef> = {
  [S in RouteStatus<R>]: {
    ok: S extends SuccessStatus<R> ? true : false;
    status: S;
    body: RouteResponse<R, S>;
    error?: undefined;
  };
}[RouteStatus<R>];

/** An answer the route does not declare: an error, or no answer at all. */
export interface HttpFailure<R extends RouteDef = RouteDef> {
  ok: false;
  status: number;
  body?: undefined;
  error: HttpErrorBody<RouteErrorCode<R>>;
}

/** What a call to route `R` ends with: one of its declared answers (typed by status), or a typed failure. */
export type HttpResult<R extends RouteDef> = Answer<R> | HttpFailure<R>;

type Field<K extends string, T> = [T] extends [undefined]
  ? { [P in K]?: undefined }
  : object extends T
    ? { [P in K]?: T }
    : { [P in K]: T };

/** The request to route `R`: its path parameters, query, headers and JSON body, each required when the route requires it. */
export type RequestOptions<R extends RouteDef> = Field<'params', RouteParams<R>> &
  Field<'query', RouteQuery<R>> &
  Field<'headers', RouteHeaders<R>> &
  Field<'body', RouteBody<R>> & {
    /** A bearer token for this call instead of `getToken` (e.g. a service token). */
    token?: string;
    signal?: AbortSignal;
  };

type Call<R extends RouteDef> =
  object extends RequestOptions<R>
    ? (options?: RequestOptions<R>) => Promise<HttpResult<R>>
    : (options: RequestOptions<R>) => Promise<HttpResult<R>>;

type Routes = typeof routes;

/** One method per route of the contract: `http.listNotifications({ query })`, `http.createNotification({ body })`. */
export type HttpClient = { [N in RouteName]: Call<Routes[N]> };

/** The answer of route `N` with status `S` (its success by default), by route name. */
export type RouteAnswer<
  N extends RouteName,
  S extends RouteStatus<Routes[N]> = SuccessStatus<Routes[N]>,
> = RouteResponse<Routes[N], S>;
