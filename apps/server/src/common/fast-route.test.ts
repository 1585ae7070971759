import { type IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FastRoutes, plainJsonRequest } from './fast-route.js';

const request = (headers: Record<string, string>, method = 'POST', url = '/api/events') =>
  ({ method, url, headers }) as unknown as IncomingMessage;
const plain = { 'content-type': 'application/json', 'content-length': '42' };

describe('plainJsonRequest', () => {
  it('takes a JSON body of a declared length within the limit, with or without a UTF-8 charset', () => {
    for (const type of [
      'application/json',
      'Application/JSON',
      'application/json; charset=utf-8',
      'application/json;charset="UTF-8"',
    ])
      expect(plainJsonRequest(request({ ...plain, 'content-type': type }), 100), type).toBe(true);
    expect(plainJsonRequest(request({ ...plain, 'content-length': '100' }), 100)).toBe(true);
    expect(plainJsonRequest(request({ ...plain, 'content-length': '0' }), 100)).toBe(true);
  });

  it('leaves everything else to Fastify', () => {
    const refused: [string, Record<string, string>][] = [
      ['a browser request (CORS)', { ...plain, origin: 'https://app.example' }],
      ['a chunked body', { ...plain, 'transfer-encoding': 'chunked' }],
      ['no content type', { 'content-length': '42' }],
      ['another type', { ...plain, 'content-type': 'text/plain' }],
      ['a type that only starts like JSON', { ...plain, 'content-type': 'application/jsonx' }],
      ['another charset', { ...plain, 'content-type': 'application/json; charset=latin1' }],
      ['another parameter', { ...plain, 'content-type': 'application/json; profile=x' }],
      ['no length', { 'content-type': 'application/json' }],
      ['a length over the limit', { ...plain, 'content-length': '101' }],
      ['a signed length', { ...plain, 'content-length': '+42' }],
      ['a fractional length', { ...plain, 'content-length': '4.2' }],
      ['an empty length', { ...plain, 'content-length': '' }],
      ['a length of ten digits', { ...plain, 'content-length': '0000000042' }],
    ];
    for (const [what, headers] of refused) expect(plainJsonRequest(request(headers), 100), what).toBe(false);
  });
});

describe('FastRoutes', () => {
  it('offers a request to the handler of its exact method and path only, and says whether it answered', () => {
    const routes = new FastRoutes();
    const seen: string[] = [];
    routes.add('POST', '/api/events', (req) => {
      seen.push(req.url!);
      return req.headers['x-take'] === 'yes';
    });
    expect(routes.dispatch(request({ 'x-take': 'yes' }), {} as never)).toBe(true);
    expect(routes.dispatch(request({ 'x-take': 'no' }), {} as never)).toBe(false);
    expect(routes.dispatch(request({ 'x-take': 'yes' }, 'GET'), {} as never)).toBe(false);
    expect(routes.dispatch(request({ 'x-take': 'yes' }, 'POST', '/api/events?x=1'), {} as never)).toBe(false);
    expect(routes.dispatch(request({ 'x-take': 'yes' }, 'POST', '/api/events/'), {} as never)).toBe(false);
    expect(seen).toEqual(['/api/events', '/api/events']);
  });
});
