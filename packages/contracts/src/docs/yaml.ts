/** A JSON value written as block-style YAML 1.2: stable output, readable diffs, no dependency. */
export function toYaml(value: unknown): string {
  return `${lines(value, 0).join('\n')}\n`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const PLAIN = /^[A-Za-z_/$][\w ./$@()'`,+-]*$/;
const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;

/** A scalar as YAML: plain where that is unambiguous, else as a JSON string (valid YAML). */
function scalar(value: null | boolean | number | string): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  const plain = PLAIN.test(value) && !RESERVED.test(value) && !value.endsWith(' ') && !/ #|: /.test(value);
  return plain ? value : JSON.stringify(value);
}

const key = (k: string) => scalar(k);
const isEmpty = (v: Json) =>
  Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && !Object.keys(v).length;

function lines(raw: unknown, indent: number): string[] {
  const value = raw as Json;
  const pad = ' '.repeat(indent);
  if (typeof value !== 'object' || value === null) return [pad + scalar(value)];
  if (isEmpty(value)) return [pad + (Array.isArray(value) ? '[]' : '{}')];
  const out: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== 'object' || item === null || isEmpty(item)) {
        out.push(`${pad}- ${lines(item, 0)[0]}`);
        continue;
      }
      // The first line of a nested block sits after the dash; the rest keep its indentation.
      const [first, ...rest] = lines(item, indent + 2);
      out.push(`${pad}- ${first!.slice(indent + 2)}`, ...rest);
    }
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (typeof v !== 'object' || v === null || isEmpty(v)) out.push(`${pad}${key(k)}: ${lines(v, 0)[0]}`);
    else out.push(`${pad}${key(k)}:`, ...lines(v, indent + 2));
  }
  return out;
}
