import { Injectable } from '@nestjs/common';
import { type AppSocket } from './socket-types.js';

export type ConnectionHook = (socket: AppSocket) => Promise<void>;

/** What other modules do for a socket right after `authenticated` (e.g. unread count, replay), in registration order. */
@Injectable()
export class ConnectionHooks {
  private readonly hooks: ConnectionHook[] = [];

  register(hook: ConnectionHook): void {
    this.hooks.push(hook);
  }

  async run(socket: AppSocket): Promise<void> {
    for (const hook of this.hooks) await hook(socket);
  }
}
