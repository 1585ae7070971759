import { Injectable } from '@nestjs/common';
import { type AppSocket } from './socket-types.js';
import { WebSocketService } from './websocket.service.js';

// setTimeout's longest delay; a later expiry is re-armed in steps.
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Ends each socket's session when its token expires, unless `auth:refresh` moved the expiry first. */
@Injectable()
export class SessionExpiry {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly ws: WebSocketService) {}

  schedule(socket: AppSocket): void {
    this.cancel(socket);
    const delay = Math.max(0, socket.data.expiresAt - Date.now());
    const timer = setTimeout(() => this.fire(socket), Math.min(delay, MAX_DELAY_MS));
    timer.unref();
    this.timers.set(socket.id, timer);
  }

  cancel(socket: AppSocket): void {
    clearTimeout(this.timers.get(socket.id));
    this.timers.delete(socket.id);
  }

  private fire(socket: AppSocket): void {
    this.timers.delete(socket.id);
    if (!socket.connected) return;
    if (socket.data.expiresAt > Date.now()) return this.schedule(socket);
    this.ws.emitToSocket(socket, 'error', { message: 'token expired', code: 'TOKEN_EXPIRED' });
    socket.disconnect(true);
  }
}
