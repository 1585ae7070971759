import { Logger } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { type AppConfig } from '../config/config.js';
import { createLogger } from './pino-logger.js';

/** A logger writing into an array, one entry per write. */
function capture(options: AppConfig['log']) {
  const lines: string[] = [];
  const logger = createLogger(options, { write: (line) => void lines.push(line) });
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger: json', () => {
  it('writes one object per line with time, level, context and msg, and the fields it is given', () => {
    const { logger, lines, records } = capture({ format: 'json', level: 'info' });
    // As Nest's Logger calls it: context last.
    logger.log('listening', 'Bootstrap');
    logger.warn('socket refused', { socketId: 's1', userId: 'alice', requestId: 'r-9' }, 'Gateway');
    logger.log({ msg: 'as an object', requestId: 'r-10' });
    expect(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1)).toBe(true);
    const [a, b, c] = records();
    expect(a).toEqual({
      level: 'info',
      time: expect.any(String),
      pid: process.pid,
      context: 'Bootstrap',
      msg: 'listening',
    });
    expect(new Date(a!.time as string).toISOString()).toBe(a!.time);
    expect(b).toMatchObject({
      level: 'warn',
      context: 'Gateway',
      msg: 'socket refused',
      socketId: 's1',
      userId: 'alice',
    });
    expect(c).toMatchObject({ level: 'info', msg: 'as an object', requestId: 'r-10' });
  });

  it('respects LOG_LEVEL', () => {
    const { logger, records } = capture({ format: 'json', level: 'warn' });
    logger.debug('no');
    logger.log('no');
    logger.warn('yes');
    logger.error('yes too');
    expect(records().map((r) => r.level)).toEqual(['warn', 'error']);
    const verbose = capture({ format: 'json', level: 'debug' });
    verbose.logger.verbose('shown at debug');
    expect(verbose.records()).toMatchObject([{ level: 'debug', msg: 'shown at debug' }]);
  });

  it("keeps a stack given the Nest way, or an Error's, as a field", () => {
    const { logger, records } = capture({ format: 'json', level: 'info' });
    const err = new Error('boom');
    logger.error('failed', err.stack, 'Store');
    logger.error(err);
    logger.error(err.stack, 'HttpExceptionFilter');
    const [a, b, c] = records();
    expect(a).toMatchObject({ level: 'error', context: 'Store', msg: 'failed', stack: err.stack });
    expect(b).toMatchObject({ msg: 'boom', err: { type: 'Error', message: 'boom', stack: err.stack } });
    expect(c).toMatchObject({ msg: 'Error: boom', stack: err.stack });
  });

  it('writes user input escaped: a newline in a value cannot start a line of its own', () => {
    const { logger, lines, records } = capture({ format: 'json', level: 'info' });
    const forged = 'x"}\n{"level":"error","msg":"forged';
    logger.warn(`refused ${forged}`, { userId: forged });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.split('\n')).toHaveLength(2);
    expect(records()[0]).toMatchObject({ msg: `refused ${forged}`, userId: forged });
  });

  it('never writes a token or authorization field', () => {
    const { logger, lines } = capture({ format: 'json', level: 'info' });
    logger.log('handshake', { token: 'eyJ.secret', authorization: 'Bearer eyJ.secret' });
    expect(lines[0]).not.toContain('eyJ.secret');
  });

  it("serves Nest's Logger once the app uses it", () => {
    const { logger, records } = capture({ format: 'json', level: 'info' });
    Logger.overrideLogger(logger);
    new Logger('Store').log('using the embedded store');
    new Logger('Redis').error('gone');
    expect(records()).toMatchObject([
      { context: 'Store', msg: 'using the embedded store' },
      { context: 'Redis', level: 'error', msg: 'gone' },
    ]);
    expect(records()[1]).not.toHaveProperty('stack');
  });
});

describe('createLogger: pretty', () => {
  it('writes one human line per record, with user input escaped', () => {
    const { logger, lines } = capture({ format: 'pretty', level: 'info' });
    logger.warn('refused\nFAKE 2026-01-01 ERROR [Auth] forged', { userId: 'a b', socketId: 's1' }, 'Gateway');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\S+Z \d+ {2}WARN \[Gateway\] refused\\nFAKE 2026-01-01 ERROR \[Auth\] forged userId="a b" socketId=s1\n$/,
    );
  });
});
