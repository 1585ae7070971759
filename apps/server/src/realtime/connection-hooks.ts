import { Injectable } from '@nestjs/common';
import { type AppSocket } from './socket-types.js';

/** A hook that has all it needs in memory finishes synchronously; one that waits (e.g. for the store) returns a promise. */
export type ConnectionHook = (socket: AppSocket) => void | Promise<void>;

/** What other modules do for a socket right after `authenticated` (e.g. unread count, replay), in registration order. */
@Injectable()
export class ConnectionHooks {
  private readonly hooks: ConnectionHook[] = [];

  register(hook: ConnectionHook): void {
    this.hooks.push(hook);
  }

  /**
   * Runs the hooks in order, each after the previous one finished; `failed` hears the first failure
   * (the hooks after it do not run). Hooks that finish synchronously cost no promise: on the embedded
   * store a handshake's count and `notification:synced` leave in the same turn as `authenticated`.
   */
  run(socket: AppSocket, failed: (err: unknown) => void): void {
    this.from(socket, 0, failed);
  }

  private from(socket: AppSocket, first: number, failed: (err: unknown) => void): void {
    for (let i = first; i < this.hooks.length; i++) {
      let pending: void | Promise<void>;
      try {
        pending = this.hooks[i]!(socket);
      } catch (err) {
        return failed(err);
      }
      if (pending) {
        pending.then(() => this.from(socket, i + 1, failed), failed);
        return;
      }
    }
  }
}
