import { describe, expect, it } from 'vitest';
import { checkParameterCount, StoreUnavailableError, storeFailure } from './store-errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('storeFailure', () => {
  it('calls a connection that broke or never came broken', () => {
    for (const err of [
      withCode('ECONNREFUSED'),
      withCode('ECONNRESET'),
      withCode('08006'),
      withCode('57P01'),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout', { cause: new Error('timeout expired') }),
      new Error('Query read timeout'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('wrapped', { cause: withCode('ETIMEDOUT') }),
    ]) {
      expect(storeFailure(err), err.message).toBe('broken');
    }
  });

  it('calls a store that answered too late, or not at all, unavailable', () => {
    expect(storeFailure(withCode('57014', 'canceling statement due to statement timeout'))).toBe('unavailable');
    expect(storeFailure(withCode('55P03'))).toBe('unavailable');
    expect(storeFailure(new Error('timeout exceeded when trying to connect'))).toBe('unavailable');
    expect(storeFailure(new StoreUnavailableError('busy'))).toBe('unavailable');
  });

  it('never calls a bug or a refused value unavailable', () => {
    for (const err of [
      new TypeError("Cannot read properties of undefined (reading 'seq')"),
      new RangeError('Maximum call stack size exceeded'),
      withCode('23505', 'duplicate key value violates unique constraint'),
      withCode('22P02'),
      withCode('42P01', 'relation "user_xp" does not exist'),
      withCode('P0001', 'injected failure'),
      withCode('40P01', 'deadlock detected'),
      new Error('timeout'),
      'Connection terminated',
      null,
      undefined,
    ]) {
      expect(storeFailure(err), String(err)).toBe('other');
    }
  });
});

describe('checkParameterCount', () => {
  it('refuses a statement whose parameter count the protocol cannot carry, as a bug, not unavailability', () => {
    expect(() => checkParameterCount(new Array(65_535).fill(1))).not.toThrow();
    let refused: unknown;
    try {
      checkParameterCount(new Array(65_536).fill(1));
    } catch (err) {
      refused = err;
    }
    expect(String(refused)).toMatch(/65536 bind parameters/);
    expect(storeFailure(refused)).toBe('other');
  });
});
