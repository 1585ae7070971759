/** A pino record as it is written in JSON. */
export type LogRecord = Record<string, unknown> & { time?: string; level?: string; context?: string; msg?: string };

/** C0 and C1 controls, DEL and the Unicode line separators: anything that could end a line or steer a terminal. */
// eslint-disable-next-line no-control-regex -- matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
/** A value printed without quotes: nothing in it can be mistaken for a separator. */
const BARE = /^[\w.:/@+-]+$/;
const OWN_FIELDS = new Set(['time', 'level', 'pid', 'context', 'msg', 'stack', 'err']);
const COLORS: Record<string, string> = { fatal: '31', error: '31', warn: '33', info: '32', debug: '35' };

/** Escapes control characters, so a value cannot start a forged line or send escape sequences to a terminal. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function value(v: unknown): string {
  if (typeof v === 'string' && BARE.test(v)) return v;
  return escapeControl(JSON.stringify(v) ?? String(v));
}

/**
 * One record for a human: `time pid LEVEL [context] message key=value ...`, then a stack, if any,
 * on indented lines (so none of them can pass for a record of its own).
 */
export function prettyLine(record: LogRecord, color = false): string {
  const level = String(record.level ?? 'info');
  let label = level.toUpperCase().padStart(5);
  let context = record.context === undefined ? '' : `[${escapeControl(String(record.context))}] `;
  if (color) {
    label = `\x1b[${COLORS[level] ?? '0'}m${label}\x1b[0m`;
    if (context) context = `\x1b[33m${context}\x1b[0m`;
  }
  const fields = Object.entries(record)
    .filter(([key]) => !OWN_FIELDS.has(key))
    .map(([key, v]) => ` ${escapeControl(key)}=${value(v)}`)
    .join('');
  const err = record.err as { stack?: unknown } | undefined;
  const stack = typeof record.stack === 'string' ? record.stack : typeof err?.stack === 'string' ? err.stack : '';
  const indented = stack
    .split('\n')
    .filter(Boolean)
    .map((line) => `\n    ${escapeControl(line)}`)
    .join('');
  const msg = escapeControl(String(record.msg ?? ''));
  return `${String(record.time ?? '')} ${String(record.pid ?? '')} ${label} ${context}${msg}${fields}${indented}\n`;
}
