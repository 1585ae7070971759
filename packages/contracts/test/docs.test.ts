import { Parser } from '@asyncapi/parser';
import { validate } from '@readme/openapi-parser';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { asyncApiDocument, openApiDocument, renderDocuments, toYaml } from '../src/docs/index.js';
import { clientEventNames, routes, serverEventNames } from '../src/index.js';

const docsDir = resolve(import.meta.dirname, '../../../docs');
const generated = renderDocuments();
const REGENERATE = 'stale: run `pnpm --filter @realtime/contracts docs:generate` and commit docs/';

/** AsyncAPI diagnostics that are errors or warnings (the parser also reports hints, e.g. that 3.1 exists). */
async function asyncApiProblems(text: string) {
  const { document, diagnostics } = await new Parser().parse(text);
  const problems = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.path.join('.')}: ${d.message}`);
  return { document, problems };
}

describe('the committed documents', () => {
  it.each(Object.keys(generated))('docs/%s is what the contract generates', (name) => {
    const committed = readFileSync(join(docsDir, name), 'utf8');
    expect(committed === generated[name], `docs/${name} is ${REGENERATE}`).toBe(true);
  });
});

describe('asyncapi.yaml', () => {
  it('is a valid AsyncAPI 3.0 document with every event in both directions', async () => {
    const { document, problems } = await asyncApiProblems(generated['asyncapi.yaml']!);
    expect(problems).toEqual([]);
    expect(document!.version()).toBe('3.0.0');
    const names = document!
      .allMessages()
      .all()
      .map((m) => m.name());
    for (const event of [...serverEventNames, ...clientEventNames]) expect(names).toContain(event);
    for (const event of clientEventNames) expect(names).toContain(`${event} ack`);
    expect(names).toEqual(expect.arrayContaining(['handshake', 'connect_error']));
    const sends = document!
      .operations()
      .filterBySend()
      .map((o) => o.messages().all()[0]!.name());
    const receives = document!
      .operations()
      .filterByReceive()
      .map((o) => o.messages().all()[0]!.name());
    expect(sends.sort()).toEqual([...serverEventNames].sort());
    expect(receives.sort()).toEqual(['handshake', ...clientEventNames].sort());
  });

  it('refuses a broken document, so the check above can fail', async () => {
    const broken = asyncApiDocument({ version: '1' });
    (broken.operations as Record<string, { action: string }>).sendXpGained!.action = 'publish';
    expect((await asyncApiProblems(toYaml(broken))).problems).not.toEqual([]);
  });
});

describe('openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document with every route', async () => {
    const doc = parse(generated['openapi.yaml']!);
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc));
    expect(result.valid ? [] : result.errors).toEqual([]);
    for (const route of Object.values(routes)) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    }
  });

  it('documents errors, Retry-After, Idempotency-Key and bearer auth', () => {
    const doc = parse(generated['openapi.yaml']!);
    const create = doc.paths['/api/notifications'].post;
    expect(create.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
    expect(create.responses['422'].content['application/json'].schema.allOf[1].properties.code.enum).toEqual([
      'IDEMPOTENCY_KEY_REUSED',
    ]);
    expect(create.responses['429'].headers['Retry-After']).toBeDefined();
    expect(create.responses['503'].headers['Retry-After']).toBeDefined();
    expect(doc.components.schemas.Error.required).toEqual(['statusCode', 'code', 'message']);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/health'].get.security).toEqual([]);
  });

  it('refuses a broken document, so the check above can fail', async () => {
    const broken = openApiDocument({ version: '1' }) as {
      paths: Record<string, Record<string, { parameters: { in: string }[] }>>;
    };
    broken.paths['/api/events']!.post!.parameters[0]!.in = 'body';
    expect((await validate(broken as never)).valid).toBe(false);
  });
});

describe('the YAML writer', () => {
  it('writes what a YAML parser reads back as the same value', () => {
    for (const doc of [asyncApiDocument({ version: '1' }), openApiDocument({ version: '1' })]) {
      expect(parse(toYaml(doc))).toEqual(JSON.parse(JSON.stringify(doc)));
    }
    const awkward = {
      'a:b': ['yes', 'null', '1.5', '- x', '# y', 'x: y', 'trailing ', '', 'é\n"q"'],
      n: [[], {}, [1, [2]]],
    };
    expect(parse(toYaml(awkward))).toEqual(awkward);
  });
});

describe('contract.html', () => {
  it('lists every event and route, loads one stylesheet and runs no script or inline style', () => {
    const html = generated['contract.html']!;
    for (const event of [...serverEventNames, ...clientEventNames, 'connect_error'])
      expect(html).toContain(`<code>${event}</code></h3>`);
    for (const route of Object.values(routes))
      expect(html).toContain(`${route.method}</span> <code>${route.path}</code>`);
    expect(html).toContain('<link rel="stylesheet" href="contract.css">');
    expect(html).not.toMatch(/<script|<style|\sstyle=|\son\w+=/i);
  });
});
