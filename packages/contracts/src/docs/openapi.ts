import { type z } from 'zod';
import { httpErrorSchema } from '../http.js';
import { errorStatus, type HttpErrorCode, type RouteDef } from '../route.js';
import { routes } from '../routes.js';
import { type DocumentInfo } from './asyncapi.js';
import { type JsonSchema, SchemaConverter } from './json-schema.js';

/** `/api/notifications/:id` -> `/api/notifications/{id}`. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

const ERROR = '#/components/schemas/Error';
const retryAfter = {
  description: 'Seconds to wait before retrying.',
  schema: { type: 'integer', minimum: 0 },
};

/** Who may call it, in words, for the description. */
export function accessText(route: RouteDef): string {
  if (route.access === 'public') return route.optionalToken ? `anyone, unless ${route.optionalToken} is set` : 'anyone';
  if (route.access === 'authenticated') return 'any valid token';
  return `tokens with role ${route.access.join(' or ')}`;
}

/** The route's errors by status, each status with the codes it may carry. */
export function errorsByStatus(route: RouteDef): Map<number, HttpErrorCode[]> {
  const byStatus = new Map<number, HttpErrorCode[]>();
  for (const code of route.errors) byStatus.set(errorStatus[code], [...(byStatus.get(errorStatus[code]) ?? []), code]);
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

function parameters(route: RouteDef, schemas: SchemaConverter): JsonSchema[] {
  const out: JsonSchema[] = [];
  const from = (where: 'path' | 'query' | 'header', schema: z.ZodObject | undefined) => {
    if (!schema) return;
    const json = schemas.convert(schema, 'input');
    const props = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, prop] of Object.entries(props)) {
      const { description, ...rest } = prop;
      out.push({
        name: where === 'header' ? headerName(name) : name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  };
  from('path', route.params);
  from('query', route.query);
  from('header', route.headers);
  return out;
}

/** `idempotency-key` -> `Idempotency-Key`, as the documents spell headers. */
const headerName = (name: string) => name.replace(/(^|-)(\w)/g, (_, dash: string, c: string) => dash + c.toUpperCase());

function operation(name: string, route: RouteDef, schemas: SchemaConverter): JsonSchema {
  const idempotent = route.headers?.shape['idempotency-key'] !== undefined;
  const responses: Record<string, JsonSchema> = {};
  for (const [status, res] of Object.entries(route.responses)) {
    const success = Number(status) < 300;
    responses[status] = {
      description: res.description,
      ...(idempotent && success
        ? {
            headers: {
              'Idempotent-Replayed': {
                description: '`true` when this is the first answer to the same key, replayed.',
                schema: { type: 'string', const: 'true' },
              },
            },
          }
        : {}),
      ...(res.schema
        ? { content: { [res.contentType ?? 'application/json']: { schema: schemas.convert(res.schema, 'output') } } }
        : {}),
    };
  }
  for (const [status, codes] of errorsByStatus(route)) {
    responses[String(status)] = {
      description: codes.map((c) => `\`${c}\``).join(', '),
      ...(status === 429 || status === 503 ? { headers: { 'Retry-After': retryAfter } } : {}),
      content: {
        'application/json': {
          schema: {
            allOf: [{ $ref: ERROR }, { properties: { statusCode: { const: status }, code: { enum: codes } } }],
          },
        },
      },
    };
  }
  responses.default = {
    description: '`INTERNAL_ERROR`: the server failed (the message carries no internals).',
    content: { 'application/json': { schema: { $ref: ERROR } } },
  };
  const params = parameters(route, schemas);
  return {
    operationId: name,
    summary: route.summary,
    description: `${route.description}\n\nWho: ${accessText(route)}.${route.devOnly ? ' Development servers only (`DEV_TOKENS=true`).' : ''}`,
    tags: [tagOf(route.path)],
    ...(route.access === 'public' ? { security: route.optionalToken ? [{}, { metricsToken: [] }] : [] } : {}),
    ...(Array.isArray(route.access) ? { 'x-roles': route.access } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemas.convert(route.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** `/api/notifications/:id` -> `notifications`; operations without `/api` are `operations`. */
const tagOf = (path: string) =>
  path.startsWith('/api/')
    ? path.split('/')[2]!
    : path === '/docs' || path.startsWith('/docs/')
      ? 'docs'
      : 'operations';

/** Every HTTP route as OpenAPI 3.1. */
export function openApiDocument({ version }: DocumentInfo): JsonSchema {
  const schemas = new SchemaConverter('draft-2020-12', '#/components/schemas/');
  schemas.convert(httpErrorSchema, 'output');
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [name, route] of Object.entries(routes) as [string, RouteDef][]) {
    const path = (paths[openApiPath(route.path)] ??= {});
    path[route.method.toLowerCase()] = operation(name, route, schemas);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Realtime notification gateway: HTTP API',
      version,
      description:
        'Generated from the route definitions of `@realtime/contracts` (`pnpm --filter @realtime/contracts docs:generate`); ' +
        'do not edit by hand. JSON in and out; errors are `{ statusCode, code, message }` (plus `issues` for ' +
        '`VALIDATION_ERROR`). `user` tokens see only their own data; `service` and `admin` tokens may publish. ' +
        'Socket events are in asyncapi.yaml.',
    },
    servers: [{ url: 'http://localhost:3000', description: 'A gateway started with the defaults' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: schemas.components,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'HS256 with JWT_SECRET, or RS256/ES256 from JWT_JWKS_URL; claims sub, role, exp (required), iat.',
        },
        metricsToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The METRICS_TOKEN the operator set, if any.',
        },
      },
    },
  };
}
