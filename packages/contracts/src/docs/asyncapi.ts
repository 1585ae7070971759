import type { z } from 'zod';
import { clientAckResponseSchemas, clientToServerSchemas } from '../client-events.js';
import { HANDSHAKE_ERROR_MESSAGE } from '../errors.js';
import { type ClientEventName, publishableEventNames, type ServerEventName } from '../events.js';
import { handshake, handshakeErrorCodes } from '../handshake.js';
import { serverToClientSchemas } from '../server-events.js';
import { type JsonSchema, SchemaConverter } from './json-schema.js';

/** `notification:unread_count` -> `notificationUnreadCount`: a key AsyncAPI accepts. */
export const messageKey = (event: string) => event.replace(/[:_](\w)/g, (_, c: string) => c.toUpperCase());
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const descriptionOf = (schema: z.ZodType): string => (schema.meta()?.description as string | undefined) ?? '';

export interface DocumentInfo {
  /** The contract package's version. */
  version: string;
}

const CHANNEL = '#/channels/socket';
const ref = (path: string) => ({ $ref: path });

/**
 * The socket side as AsyncAPI 3.0, from the gateway's point of view: it `receive`s the handshake and
 * the client events (each answered by an acknowledgement) and `send`s the server events.
 */
export function asyncApiDocument({ version }: DocumentInfo): JsonSchema {
  const schemas = new SchemaConverter('draft-07', '#/components/schemas/');
  const messages: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  const message = (key: string, m: JsonSchema) => {
    messages[key] = m;
    return ref(`${CHANNEL}/messages/${key}`);
  };

  message('handshake', {
    name: 'handshake',
    title: 'Handshake',
    summary: 'io(url, { path: WS_PATH, auth: { token, lastSeq } })',
    description: descriptionOf(handshake.auth),
    payload: schemas.convert(handshake.auth, 'input'),
  });
  message('connectError', {
    name: 'connect_error',
    title: 'connect_error',
    summary: `The handshake was refused: message "${HANDSHAKE_ERROR_MESSAGE}", data.code one of ${handshakeErrorCodes.join(', ')}.`,
    description: descriptionOf(handshake.refusal),
    payload: schemas.convert(handshake.refusal, 'output'),
  });
  operations.receiveHandshake = {
    action: 'receive',
    channel: ref(CHANNEL),
    title: 'Connect',
    summary: 'A client connects with a token; a refused one gets connect_error.',
    security: [ref('#/components/securitySchemes/bearer')],
    messages: [ref(`${CHANNEL}/messages/handshake`)],
    reply: {
      channel: ref(CHANNEL),
      messages: [ref(`${CHANNEL}/messages/authenticated`), ref(`${CHANNEL}/messages/connectError`)],
    },
  };

  for (const [event, schema] of Object.entries(serverToClientSchemas) as [ServerEventName, z.ZodType][]) {
    const key = messageKey(event);
    const publishable = (publishableEventNames as string[]).includes(event);
    const to = message(key, {
      name: event,
      title: event,
      summary: descriptionOf(schema),
      payload: schemas.convert(schema, 'output'),
      ...(publishable ? { tags: [{ name: 'publishable' }] } : {}),
    });
    operations[`send${upperFirst(key)}`] = {
      action: 'send',
      channel: ref(CHANNEL),
      title: event,
      summary: descriptionOf(schema),
      messages: [to],
    };
  }

  for (const [event, schema] of Object.entries(clientToServerSchemas) as [ClientEventName, z.ZodType][]) {
    const key = messageKey(event);
    const from = message(key, {
      name: event,
      title: event,
      summary: descriptionOf(schema),
      payload: schemas.convert(schema, 'input'),
    });
    const ack = message(`${key}Ack`, {
      name: `${event} ack`,
      title: `${event} acknowledgement`,
      summary: 'The acknowledgement callback: { ok: true, ... } or { ok: false, error: { code, message } }.',
      payload: schemas.convert(clientAckResponseSchemas[event], 'output'),
    });
    operations[`receive${upperFirst(key)}`] = {
      action: 'receive',
      channel: ref(CHANNEL),
      title: event,
      summary: descriptionOf(schema),
      description:
        'Takes an optional acknowledgement callback. A payload that fails its schema gets `error` ' +
        '`{ code: "VALIDATION_ERROR" }` and a failed ack; a socket over its budget gets failed acks with `RATE_LIMITED`.',
      messages: [from],
      reply: { channel: ref(CHANNEL), messages: [ack] },
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Realtime notification gateway: socket events',
      version,
      description:
        'Socket.IO 4 events between the gateway and its clients, generated from the zod schemas of ' +
        '`@realtime/contracts` (`pnpm --filter @realtime/contracts docs:generate`); do not edit by hand. ' +
        'Every socket of a user joins the room `user:{sub}`: events addressed to a user reach all of their devices. ' +
        'Payloads are JSON. The HTTP API is in openapi.yaml.',
      tags: [{ name: 'publishable', description: 'Services may publish it through POST /api/events.' }],
    },
    defaultContentType: 'application/json',
    servers: {
      gateway: {
        host: 'localhost:3000',
        protocol: 'ws',
        pathname: '/socket.io/',
        title: 'The gateway',
        description:
          'Socket.IO over WebSocket, HTTP long-polling as fallback, on the HTTP port (`PORT`) and path `WS_PATH` ' +
          '(default `/socket.io/`).',
        security: [ref('#/components/securitySchemes/bearer')],
      },
    },
    channels: {
      socket: {
        address: '/',
        title: 'The default namespace',
        description: 'One socket per device; all events travel on it, by name.',
        servers: [ref('#/servers/gateway')],
        messages,
      },
    },
    operations,
    components: {
      schemas: schemas.components,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT (HS256 with JWT_SECRET, or RS256/ES256 from JWT_JWKS_URL) in the handshake `auth.token`, or an ' +
            '`Authorization: Bearer` header. `sub` is the user id; `exp` is required.',
        },
      },
    },
  };
}
