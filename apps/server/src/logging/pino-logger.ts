import { type LoggerService } from '@nestjs/common';
import { pino, type Logger as Pino } from 'pino';
import { type AppConfig } from '../config/config.js';
import { type LogRecord, prettyLine } from './pretty-line.js';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug';

export interface LogDestination {
  write(line: string): void;
  isTTY?: boolean;
}

/** Nest's `error(message, stack?, context?)` passes a stack as a string of this shape. */
const STACK = /^.*\n\s+at .+/s;

/**
 * Nest's LoggerService on pino. `json`: one object per line, `{ level, time, pid, context, msg, ...fields }`;
 * `pretty`: one line per record for a terminal (see prettyLine). Fields come from an object argument,
 * `logger.warn('refused', { socketId, userId })`, or an object message `{ msg, requestId }`.
 * Records below `level` cost one comparison.
 */
export class PinoLogger implements LoggerService {
  constructor(private readonly pino: Pino) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    // Nest's Logger passes its context last.
    const last = params.at(-1);
    const context = params.length > 0 && typeof last === 'string' ? last : undefined;
    const record: Record<string, unknown> = context === undefined ? {} : { context };
    for (const param of context === undefined ? params : params.slice(0, -1)) {
      if (typeof param === 'string' && STACK.test(param)) record.stack = param;
      else if (param instanceof Error) record.err = param;
      else if (isPlainObject(param)) Object.assign(record, param);
      else if (param !== undefined) record.detail = param;
    }
    let msg: string;
    if (message instanceof Error) {
      record.err = message;
      msg = message.message;
    } else if (isPlainObject(message)) {
      const { msg: m, message: alt, ...fields } = message;
      Object.assign(record, fields);
      msg = String(m ?? alt ?? '');
    } else if (typeof message === 'string' && STACK.test(message)) {
      // `logger.error(err.stack)`: the first line is the message.
      record.stack ??= message;
      msg = message.slice(0, message.indexOf('\n'));
    } else {
      msg = String(message);
    }
    this.pino[level](record, msg);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Error);
}

/** The server's logger, as LOG_FORMAT and LOG_LEVEL say; lines go to stdout unless `destination` is given. */
export function createLogger(options: AppConfig['log'], destination?: LogDestination): PinoLogger {
  let stream: LogDestination;
  if (options.format === 'pretty') {
    const out = destination ?? process.stdout;
    stream = { write: (line) => out.write(prettyLine(JSON.parse(line) as LogRecord, out.isTTY === true)) };
  } else {
    // Asynchronous writes, which pino flushes when the process exits.
    stream = destination ?? pino.destination(1);
  }
  return new PinoLogger(
    pino(
      {
        level: options.level,
        messageKey: 'msg',
        base: { pid: process.pid },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: ['token', 'authorization', 'password'], censor: '[redacted]' },
      },
      stream,
    ),
  );
}
