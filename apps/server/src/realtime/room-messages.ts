import { Logger } from '@nestjs/common';
import { type InterServerEvents } from '@realtime/contracts';
import { type Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { type EventEmitter } from 'node:events';

/** The inter-process events a process may address to a room: those that wait for no answer. */
export type RoomMessageName = {
  [E in keyof InterServerEvents]: Parameters<InterServerEvents[E]> extends [...unknown[], (...a: never[]) => void]
    ? never
    : E;
}[keyof InterServerEvents];

/** How long a handshake waits for its room's subscription before it goes on without it. */
const SUBSCRIBE_WAIT_MS = 2000;

/** What this needs of Socket.IO's adapter: its documented room events and its rooms. */
export interface RoomsOf extends EventEmitter {
  rooms: Map<string, Set<string>>;
  /** Each socket's rooms, by socket id: a room that is a key here is that socket's own. */
  sids: Map<string, Set<string>>;
}

interface Envelope {
  /** The publishing process, which handled the message itself. */
  o: string;
  e: string;
  a: unknown[];
}

/**
 * Messages between server processes addressed to a room, over Redis sharded pub/sub: each process
 * subscribes to the channel `{prefix}#room#{room}` of every room it holds (created and deleted with
 * the room, as the sharded adapter does with its own channels), so a message reaches only the
 * processes with a socket in the room. Messages of one publisher to one room arrive in order (one
 * connection, one channel).
 *
 * They travel on channels of their own rather than the adapter's: the adapter hands what arrives
 * on its channels to the sockets, and offers no way to hand a message to the server instead. The
 * price is a second subscription per room.
 */
export class RoomMessages {
  private readonly logger = new Logger('RoomMessages');
  private readonly origin = randomUUID();
  private readonly prefix: string;
  private readonly listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  /** The rooms this process holds, each with its subscription (settled once Redis answered it). */
  private readonly subscriptions = new Map<string, Promise<void>>();
  private subscribeFailed = false;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    key: string,
    adapter: RoomsOf,
  ) {
    this.prefix = `${key}#room#`;
    sub.on('smessage', (channel: string, message: string) => this.received(channel, message));
    // A socket's own room is never addressed: a subscription per socket would only cost.
    adapter.on('create-room', (room: string) => {
      if (!adapter.sids.has(room)) this.subscribe(room);
    });
    adapter.on('delete-room', (room: string) => this.unsubscribe(room));
    for (const room of adapter.rooms.keys()) if (!adapter.sids.has(room)) this.subscribe(room);
  }

  /** Sends the event to the other processes that hold the room (those that do not never see it). */
  publish<E extends RoomMessageName>(room: string, event: E, args: Parameters<InterServerEvents[E]>): void {
    const envelope: Envelope = { o: this.origin, e: event, a: args };
    // A failed publish is counted by the connection (redis.module.ts); the catch-up covers it.
    this.pub.spublish(this.prefix + room, JSON.stringify(envelope)).catch(() => undefined);
  }

  /** Calls `listener` with each message of `event` another process addressed to a room this one holds. */
  on<E extends keyof InterServerEvents>(event: E, listener: InterServerEvents[E]): void {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as (...args: unknown[]) => void);
    this.listeners.set(event, list);
  }

  /**
   * Resolves once Redis confirmed this process's subscription to the room, so that what is published
   * to it from then on arrives here. Without Redis it resolves at once: the catch-up once Redis is
   * back (ClusterCatchUp) covers what was missed, and a slow Redis is not waited for beyond 2 s.
   */
  async reachable(room: string): Promise<void> {
    const subscribed = this.subscriptions.get(room);
    if (!subscribed || this.sub.status !== 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([subscribed, new Promise((r) => (timer = setTimeout(r, SUBSCRIBE_WAIT_MS)))]);
    clearTimeout(timer);
  }

  private subscribe(room: string): void {
    // The connection keeps the command queued while Redis is away and subscribes again after a reconnect.
    const done = this.sub.ssubscribe(this.prefix + room).then(
      () => undefined,
      (err: unknown) => {
        if (this.subscribeFailed) return;
        this.subscribeFailed = true;
        this.logger.error(`cannot subscribe to rooms: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
    this.subscriptions.set(room, done);
  }

  private unsubscribe(room: string): void {
    if (!this.subscriptions.delete(room)) return;
    this.sub.sunsubscribe(this.prefix + room).catch(() => undefined);
  }

  private received(channel: string, raw: string): void {
    if (!channel.startsWith(this.prefix)) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
      if (typeof envelope.e !== 'string' || !Array.isArray(envelope.a)) throw new Error('not an envelope');
    } catch (err) {
      this.logger.warn(
        `dropped a malformed message on ${channel}: ${err instanceof Error ? err.message : String(err)}`,
      );
      return;
    }
    if (envelope.o === this.origin) return;
    for (const listener of this.listeners.get(envelope.e) ?? []) {
      try {
        listener(...envelope.a);
      } catch (err) {
        this.logger.error(`${envelope.e} handler failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
