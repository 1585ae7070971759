import { Injectable } from '@nestjs/common';
import { type AppSocket } from './socket-types.js';
import { WebSocketService } from './websocket.service.js';

// setTimeout's longest delay; a later expiry is re-armed in steps.
const MAX_DELAY_MS = 2 ** 31 - 1;

/** The sockets whose sessions end at one instant, and the timer that ends them. */
interface Due {
  timer: NodeJS.Timeout;
  sockets: Set<AppSocket>;
}

/**
 * Ends each socket's session when its token expires, unless `auth:refresh` moved the expiry first.
 * Tokens expire on whole seconds (`exp`), and the tokens of a crowd mostly on the same few: sockets
 * due at the same instant share one timer, so a handshake adds a socket to a set instead of
 * creating a timer of its own.
 */
@Injectable()
export class SessionExpiry {
  private readonly due = new Map<number, Due>();
  /** When each scheduled socket is due, by socket id. */
  private readonly dueAt = new Map<string, number>();

  constructor(private readonly ws: WebSocketService) {}

  schedule(socket: AppSocket): void {
    this.cancel(socket);
    const at = socket.data.expiresAt;
    let due = this.due.get(at);
    if (!due) {
      const delay = Math.max(0, at - Date.now());
      const timer = setTimeout(() => this.fire(at), Math.min(delay, MAX_DELAY_MS));
      timer.unref();
      due = { timer, sockets: new Set() };
      this.due.set(at, due);
    }
    due.sockets.add(socket);
    this.dueAt.set(socket.id, at);
  }

  cancel(socket: AppSocket): void {
    const at = this.dueAt.get(socket.id);
    if (at === undefined) return;
    this.dueAt.delete(socket.id);
    const due = this.due.get(at)!;
    due.sockets.delete(socket);
    if (due.sockets.size > 0) return;
    clearTimeout(due.timer);
    this.due.delete(at);
  }

  private fire(at: number): void {
    const due = this.due.get(at);
    if (!due) return;
    this.due.delete(at);
    for (const socket of due.sockets) {
      this.dueAt.delete(socket.id);
      this.end(socket);
    }
  }

  private end(socket: AppSocket): void {
    if (!socket.connected) return;
    // Early: a timer capped at MAX_DELAY_MS, or one that fired before its time.
    if (socket.data.expiresAt > Date.now()) return this.schedule(socket);
    this.ws.emitToSocket(socket, 'error', { message: 'token expired', code: 'TOKEN_EXPIRED' });
    socket.disconnect(true);
  }
}
