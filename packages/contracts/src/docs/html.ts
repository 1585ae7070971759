import type { z } from 'zod';
import { clientAckResponseSchemas, clientToServerSchemas } from '../client-events.js';
import { type ClientEventName, publishableEventNames, type ServerEventName } from '../events.js';
import { handshake } from '../handshake.js';
import { httpErrorSchema } from '../http.js';
import { type RouteDef } from '../route.js';
import { routes } from '../routes.js';
import { serverToClientSchemas } from '../server-events.js';
import { descriptionOf, type DocumentInfo } from './asyncapi.js';
import { type JsonSchema, SchemaConverter } from './json-schema.js';
import { accessText, errorsByStatus } from './openapi.js';

export interface PageOptions extends DocumentInfo {
  /** Where the page finds its stylesheet (no inline style, for a strict Content-Security-Policy). */
  stylesheetHref: string;
}

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Plain text with `code` spans, as the descriptions write them. */
const prose = (s: string) => escape(s).replace(/`([^`]+)`/g, '<code>$1</code>');

const anchor = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const REF = '#/components/schemas/';

/** A JSON Schema in a few words: `string (uuid)`, `integer ≥ 0`, `Notification[]`, `"a" | "b"`. */
function typeText(s: JsonSchema): string {
  if (typeof s.$ref === 'string') {
    const name = s.$ref.slice(REF.length);
    return `<a href="#schema-${anchor(name)}">${escape(name)}</a>`;
  }
  if ('const' in s) return `<code>${escape(JSON.stringify(s.const))}</code>`;
  if (Array.isArray(s.enum)) return s.enum.map((v) => `<code>${escape(JSON.stringify(v))}</code>`).join(' | ');
  const union = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (union) return union.map(typeText).join(' | ');
  if (Array.isArray(s.allOf)) return (s.allOf as JsonSchema[]).map(typeText).join(' &amp; ');
  const type = Array.isArray(s.type) ? s.type.join(' | ') : ((s.type as string | undefined) ?? 'any');
  if (type === 'array') return `${typeText((s.items ?? {}) as JsonSchema)}[]`;
  const bounds: string[] = [];
  if (typeof s.format === 'string') bounds.push(s.format);
  if (typeof s.minimum === 'number') bounds.push(`≥ ${s.minimum}`);
  if (typeof s.exclusiveMinimum === 'number') bounds.push(`&gt; ${s.exclusiveMinimum}`);
  if (typeof s.maximum === 'number') bounds.push(`≤ ${s.maximum}`);
  if (typeof s.minLength === 'number' || typeof s.maxLength === 'number')
    bounds.push(`${s.minLength ?? 0}-${s.maxLength ?? '∞'} chars`);
  if (typeof s.default !== 'undefined') bounds.push(`default ${escape(JSON.stringify(s.default))}`);
  return bounds.length ? `${type} (${bounds.join(', ')})` : type;
}

/** The fields of an object schema, nested objects as dotted names. */
function fieldRows(s: JsonSchema, prefix = ''): string[] {
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(props).flatMap(([name, prop]) => {
    const nested = prop.type === 'object' && prop.properties ? fieldRows(prop, `${prefix}${name}.`) : [];
    const note = typeof prop.description === 'string' ? ` ${prose(prop.description)}` : '';
    const row =
      `<tr><td><code>${escape(prefix + name)}</code></td><td>${typeText(prop)}</td>` +
      `<td>${required.has(name) ? 'required' : 'optional'}${note}</td></tr>`;
    return [row, ...nested];
  });
}

/** A schema as a table of its fields, or its type when it is not an object. */
function schemaBlock(s: JsonSchema): string {
  const union = (s.oneOf ?? s.anyOf) as JsonSchema[] | undefined;
  if (union && union.every((u) => u.type === 'object' || u.$ref)) {
    return union.map((u) => (u.$ref ? `<p>or ${typeText(u)}</p>` : schemaBlock(u))).join('');
  }
  const rows = s.type === 'object' ? fieldRows(s) : [];
  if (!rows.length) return `<p class="type">${s.type === 'object' ? '<code>{}</code>' : typeText(s)}</p>`;
  return `<table><thead><tr><th>field</th><th>type</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function eventSection(
  event: string,
  schema: z.ZodType,
  converted: JsonSchema,
  schemas: SchemaConverter,
  extra = '',
): string {
  // A payload that is a shared schema is shown here in full.
  const json = typeof converted.$ref === 'string' ? schemas.components[converted.$ref.slice(REF.length)]! : converted;
  return (
    `<section id="event-${anchor(event)}" class="item"><h3><code>${escape(event)}</code></h3>` +
    `<p>${prose(descriptionOf(schema))}</p>${extra}${schemaBlock(json)}</section>`
  );
}

function routeSection(name: string, route: RouteDef, schemas: SchemaConverter): string {
  const parts = [
    `<section id="route-${anchor(name)}" class="item"><h3><span class="method">${route.method}</span> <code>${escape(route.path)}</code></h3>`,
    `<p><strong>${prose(route.summary)}.</strong> ${prose(route.description)}</p>`,
    `<p class="who">Who: ${prose(accessText(route))}${route.devOnly ? '; development servers only' : ''}.</p>`,
  ];
  for (const [label, schema] of [
    ['Path', route.params],
    ['Query', route.query],
    ['Headers', route.headers],
    ['Body', route.body],
  ] as const) {
    if (schema) parts.push(`<h4>${label}</h4>${schemaBlock(schemas.convert(schema, 'input'))}`);
  }
  for (const [status, res] of Object.entries(route.responses)) {
    const body = res.schema ? schemaBlock(schemas.convert(res.schema, 'output')) : '';
    const type = res.contentType ? ` <code>${escape(res.contentType)}</code>` : '';
    parts.push(`<h4>${status}${type}</h4><p>${prose(res.description)}</p>${res.contentType ? '' : body}`);
  }
  const errors = [...errorsByStatus(route)].map(
    ([status, codes]) => `<li>${status}: ${codes.map((c) => `<code>${c}</code>`).join(', ')}</li>`,
  );
  if (errors.length) parts.push(`<h4>Errors</h4><ul class="errors">${errors.join('')}</ul>`);
  parts.push('</section>');
  return parts.join('');
}

/** The whole contract as one page: no script, no inline style, one stylesheet at `stylesheetHref`. */
export function docsPage({ version, stylesheetHref }: PageOptions): string {
  const schemas = new SchemaConverter('draft-2020-12', REF);
  const server = (Object.entries(serverToClientSchemas) as [ServerEventName, z.ZodType][]).map(([event, schema]) =>
    eventSection(
      event,
      schema,
      schemas.convert(schema, 'output'),
      schemas,
      (publishableEventNames as string[]).includes(event)
        ? '<p class="tag">Services may publish it through <code>POST /api/events</code>.</p>'
        : '',
    ),
  );
  const client = (Object.entries(clientToServerSchemas) as [ClientEventName, z.ZodType][]).map(([event, schema]) =>
    eventSection(
      event,
      schema,
      schemas.convert(schema, 'input'),
      schemas,
      `<h4>Acknowledgement</h4>${schemaBlock(schemas.convert(clientAckResponseSchemas[event], 'output'))}<h4>Payload</h4>`,
    ),
  );
  const http = (Object.entries(routes) as [string, RouteDef][]).map(([name, route]) =>
    routeSection(name, route, schemas),
  );
  const handshakeHtml =
    eventSection('auth', handshake.auth, schemas.convert(handshake.auth, 'input'), schemas) +
    eventSection('connect_error', handshake.refusal, schemas.convert(handshake.refusal, 'output'), schemas);
  schemas.convert(httpErrorSchema, 'output');
  const components = Object.entries(schemas.components)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([name, s]) =>
        `<section id="schema-${anchor(name)}" class="item"><h3>${escape(name)}</h3>` +
        `<p>${prose((s.description as string) ?? '')}</p>${schemaBlock(s)}</section>`,
    );
  const toc = (id: string, title: string) => `<li><a href="#${id}">${title}</a></li>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Realtime gateway contract ${escape(version)}</title>
<link rel="stylesheet" href="${escape(stylesheetHref)}">
</head>
<body>
<header><h1>Realtime gateway contract</h1><p>Version ${escape(version)} of <code>@realtime/contracts</code>, generated from its zod schemas and route definitions. Machine-readable: <code>docs/asyncapi.yaml</code> (AsyncAPI 3.0) and <code>docs/openapi.yaml</code> (OpenAPI 3.1).</p>
<nav><ul>${toc('handshake', 'Handshake')}${toc('server-events', 'Server to client')}${toc('client-events', 'Client to server')}${toc('routes', 'HTTP routes')}${toc('schemas', 'Shared schemas')}</ul></nav></header>
<main>
<h2 id="handshake">Handshake</h2>
<p>${prose('`io(url, { path: WS_PATH, auth: { token, lastSeq } })` (WS_PATH defaults to `/socket.io/`); WebSocket, HTTP long-polling as fallback.')}</p>
${handshakeHtml}
<h2 id="server-events">Server to client</h2>
${server.join('\n')}
<h2 id="client-events">Client to server</h2>
<p>${prose('Each takes an optional acknowledgement callback, answered `{ ok: true, ... }` or `{ ok: false, error: { code, message } }`.')}</p>
${client.join('\n')}
<h2 id="routes">HTTP routes</h2>
<p>${prose('JSON, `Authorization: Bearer <JWT>`. Errors are `{ statusCode, code, message }`; 429 and 503 carry `Retry-After`; any route may answer 500 `INTERNAL_ERROR`.')}</p>
${http.join('\n')}
<h2 id="schemas">Shared schemas</h2>
${components.join('\n')}
</main>
</body>
</html>
`;
}
