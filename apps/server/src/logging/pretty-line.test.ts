import { describe, expect, it } from 'vitest';
import { escapeControl, prettyLine } from './pretty-line.js';

const base = { time: '2026-01-01T00:00:00.000Z', pid: 7, level: 'info' };

describe('prettyLine', () => {
  it('prints time, pid, level, context, message and fields on one line', () => {
    expect(prettyLine({ ...base, context: 'Bootstrap', msg: 'listening', port: 3000, userId: 'alice' })).toBe(
      '2026-01-01T00:00:00.000Z 7  INFO [Bootstrap] listening port=3000 userId=alice\n',
    );
  });

  it('quotes and escapes a value that could pass for something else', () => {
    const line = prettyLine({ ...base, msg: 'm', userId: 'eve level=error', data: { a: 1 } });
    expect(line).toBe('2026-01-01T00:00:00.000Z 7  INFO m userId="eve level=error" data={"a":1}\n');
  });

  it('escapes every control character, the terminal escapes (ESC, CSI) and line separators included', () => {
    expect(escapeControl('a\nb\r\tc\u001b[31m\u009b2J\u2028\u0000')).toBe(
      'a\\nb\\r\\tc\\u001b[31m\\u009b2J\\u2028\\u0000',
    );
    const line = prettyLine({ ...base, msg: 'x\r\n2026-01-01T00:00:00.000Z 7 ERROR forged', context: 'A\nB' });
    expect(line.split('\n')).toHaveLength(2);
  });

  it('prints a stack on indented lines, none of which can pass for a record', () => {
    const stack = 'Error: bad\n2026-01-01T00:00:00.000Z 7 ERROR forged\n    at f (a.js:1:1)';
    const lines = prettyLine({ ...base, level: 'error', msg: 'failed', stack }).split('\n');
    expect(lines).toEqual([
      '2026-01-01T00:00:00.000Z 7 ERROR failed',
      '    Error: bad',
      '    2026-01-01T00:00:00.000Z 7 ERROR forged',
      '        at f (a.js:1:1)',
      '',
    ]);
  });
});
