import { describe, expect, it } from 'vitest';
import { ConnectionHooks } from './connection-hooks.js';
import { type AppSocket } from './socket-types.js';

const socket = {} as AppSocket;

describe('ConnectionHooks', () => {
  it('runs hooks that finish synchronously in the same turn, in order', () => {
    const hooks = new ConnectionHooks();
    const ran: string[] = [];
    hooks.register(() => void ran.push('a'));
    hooks.register(() => void ran.push('b'));
    hooks.run(socket, (err) => ran.push(`failed ${String(err)}`));
    expect(ran).toEqual(['a', 'b']);
  });

  it('starts a hook only after the promise of the one before it settled', async () => {
    const hooks = new ConnectionHooks();
    const ran: string[] = [];
    let release!: () => void;
    hooks.register(() => new Promise<void>((r) => (release = r)).then(() => void ran.push('a')));
    hooks.register(() => void ran.push('b'));
    const done = new Promise<void>((r) => hooks.register(() => r()));
    hooks.run(socket, (err) => ran.push(`failed ${String(err)}`));
    expect(ran).toEqual([]);
    release();
    await done;
    expect(ran).toEqual(['a', 'b']);
  });

  it('reports the first failure, thrown or rejected, and runs no hook after it', async () => {
    for (const failing of [
      () => {
        throw new Error('boom');
      },
      () => Promise.reject(new Error('boom')),
    ]) {
      const hooks = new ConnectionHooks();
      const ran: string[] = [];
      hooks.register(failing);
      hooks.register(() => void ran.push('after'));
      const failed = new Promise<unknown>((r) => hooks.run(socket, r));
      expect(((await failed) as Error).message).toBe('boom');
      expect(ran).toEqual([]);
    }
  });
});
