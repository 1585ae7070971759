import { createHash } from 'node:crypto';

/** Text written as is, as opposed to a JSON value still to be written. */
class Raw {
  constructor(readonly text: string) {}
}

/**
 * JSON text that is the same for the same JSON value: object keys sorted, no whitespace. Iterative,
 * so a body nested as deep as its size allows cannot overflow the stack.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  const todo: unknown[] = [value];
  while (todo.length > 0) {
    const item = todo.pop();
    if (item instanceof Raw) {
      out.push(item.text);
    } else if (Array.isArray(item)) {
      const parts: unknown[] = [new Raw('[')];
      item.forEach((v, i) => parts.push(...(i > 0 ? [new Raw(',')] : []), v === undefined ? null : v));
      parts.push(new Raw(']'));
      for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]);
    } else if (typeof item === 'object' && item !== null) {
      const entries = Object.entries(item)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const parts: unknown[] = [new Raw('{')];
      entries.forEach(([k, v], i) => parts.push(new Raw(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`), v));
      parts.push(new Raw('}'));
      for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]);
    } else {
      out.push(JSON.stringify(item) ?? 'null');
    }
  }
  return out.join('');
}

/** SHA-256 (hex) of {@link canonicalJson}: equal for bodies that are the same JSON value. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
