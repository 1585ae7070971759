import { describe, expect, it } from 'vitest';
import { canonicalHash, canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('writes the same JSON value the same way, whatever the key order', () => {
    const a = { userId: 'u', data: { b: [1, { y: 2, x: 1 }], a: 'é"' }, title: 't' };
    const b = JSON.parse('{"title":"t","data":{"a":"é\\"","b":[1,{"x":1,"y":2}]},"userId":"u"}');
    expect(canonicalJson(a)).toBe('{"data":{"a":"é\\"","b":[1,{"x":1,"y":2}]},"title":"t","userId":"u"}');
    expect(canonicalHash(a)).toBe(canonicalHash(b));
    expect(JSON.parse(canonicalJson(a))).toEqual(a);
  });

  it('tells different values apart: array order, types, nesting, null', () => {
    const hashes = [[1, 2], [2, 1], ['1', 2], [[1], 2], { a: null }, { a: 0 }, {}, [], null, '', 0].map(canonicalHash);
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('writes a body nested as deep as 256 KB allows without overflowing the stack', () => {
    const depth = 100_000;
    const deep = JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`);
    expect(canonicalJson(deep)).toHaveLength(2 * depth + 1);
  });
});
