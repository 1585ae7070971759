import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type ServerEventName, type ServerPayload, type UserChange, userRoom } from '@realtime/contracts';
import { MetricsService } from '../metrics/metrics.service.js';
import { type AppSocket } from '../realtime/socket-types.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { UserStateRepository } from '../user-state/user-state.repository.js';
import { type UserState } from '../user-state/user-state.js';
import { NotificationsRepository } from '../notifications/notifications.repository.js';
import { REPLAY_LIMIT } from './replay.js';
import { type HandshakeRead, SocketCursor } from './socket-cursor.js';

/** Changes per inter-process message to every process: a group publish to thousands travels in a few. */
const CHANGES_PER_MESSAGE = 500;

/**
 * The one path from a committed change to a user's notifications to that user's sockets: the change
 * goes to this process's sockets of the user and to the other processes: with sharded pub/sub in one
 * message per user to the processes holding that user's room, else in one message to every process
 * (`serverSideEmit`). On each, every socket's {@link SocketCursor} decides what it sends. The
 * handshake's replay ({@link handshake}) and the catch-up after a Redis outage (ClusterCatchUp) go
 * through the same cursors. See docs/delivery.md.
 */
@Injectable()
export class DeliveryService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Delivery');
  private readonly cursors = new WeakMap<AppSocket, SocketCursor>();

  constructor(
    private readonly ws: WebSocketService,
    private readonly repo: NotificationsRepository,
    private readonly userStates: UserStateRepository,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    this.ws.fromOtherProcesses('delivery:changes', (changes) => this.applyLocal(changes));
  }

  /** After COMMIT: hands the changes to every socket of their users, on every process. */
  deliver(changes: readonly UserChange[]): void {
    if (changes.length === 0) return;
    for (const change of changes) {
      this.metrics.eventsOut.inc({ event: eventOf(change), target: 'user' });
      this.metrics.eventsOut.inc({ event: 'notification:unread_count', target: 'user' });
    }
    this.applyLocal(changes);
    if (this.ws.roomAddressing) {
      // A user's changes keep their order: one message, on the one channel of the user's room.
      for (const [userId, own] of byUser(changes))
        this.ws.toOtherProcessesHolding(userRoom(userId), 'delivery:changes', own);
      return;
    }
    for (let i = 0; i < changes.length; i += CHANGES_PER_MESSAGE) {
      this.ws.toOtherProcesses('delivery:changes', changes.slice(i, i + CHANGES_PER_MESSAGE));
    }
  }

  /** This process's sockets of each change's user get it; one that throws does not stop the others. */
  private applyLocal(changes: readonly UserChange[]): void {
    for (const change of changes) {
      try {
        for (const socket of this.ws.localSocketsOf(change.userId)) this.cursorOf(socket).offer(change);
      } catch (err) {
        this.logger.error(
          `${eventOf(change)} to ${change.userId} failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }

  /** The socket's cursor, made on first use: it holds what arrives until its handshake opens it. */
  cursorOf(socket: AppSocket): SocketCursor {
    let cursor = this.cursors.get(socket);
    if (cursor) return cursor;
    cursor = new SocketCursor({ send: (event, payload) => this.send(socket, event, payload) }, REPLAY_LIMIT);
    this.cursors.set(socket, cursor);
    const made = cursor;
    socket.once('disconnect', () => made.close());
    return cursor;
  }

  /** One event to one socket, as its cursor decided. */
  send<E extends ServerEventName>(socket: AppSocket, event: E, payload: ServerPayload<E>): void {
    this.ws.emitToSocket(socket, event, payload);
  }

  /**
   * Right after `authenticated`: reads the user's state (putting the socket in its groups' rooms) and
   * what a socket that sent `auth.lastSeq` missed, then opens its cursor: the count, the replay or a
   * resync, what arose meanwhile, `notification:synced`. Without the store the socket is told and
   * disconnected (it reconnects when it can). Synchronous when the state is in memory (the embedded
   * store) and nothing is to be replayed: most handshakes, which then cost no promise.
   */
  handshake(socket: AppSocket): void | Promise<void> {
    const cursor = this.cursorOf(socket);
    // With sharded pub/sub, what other processes publish after the state is read must reach this one.
    if (this.ws.roomAddressing) {
      return this.ws.reachable(userRoom(socket.data.userId)).then(() => this.read(socket, cursor));
    }
    const { userId, resumeFrom } = socket.data;
    const state = this.userStates.inMemory(userId);
    if (!state || (typeof resumeFrom === 'number' && resumeFrom < state.lastSeq)) return this.read(socket, cursor);
    // A socket that just connected is in no group's room, and no membership change could come between.
    if (state.groups.length > 0) this.ws.setGroups(socket, state.groups);
    return this.open(socket, cursor, state, []);
  }

  private async read(socket: AppSocket, cursor: SocketCursor): Promise<void> {
    const { userId, resumeFrom } = socket.data;
    let state: UserState;
    let missed: HandshakeRead['missed'] = [];
    try {
      state = await this.stateWithGroups(socket);
      if (typeof resumeFrom === 'number' && resumeFrom < state.lastSeq) {
        missed = await this.repo.since(userId, resumeFrom, REPLAY_LIMIT + 1);
      }
    } catch (err) {
      cursor.close();
      this.ws.emitToSocket(socket, 'error', { code: 'UNAVAILABLE', message: 'the store did not answer; reconnect' });
      socket.disconnect(true);
      throw err;
    }
    await this.open(socket, cursor, state, missed);
  }

  private open(
    socket: AppSocket,
    cursor: SocketCursor,
    state: UserState,
    missed: HandshakeRead['missed'],
  ): void | Promise<void> {
    const { lastSeq, unreadCount, version } = state;
    const { resumeFrom, userId } = socket.data;
    const stale = cursor.open({ resumeFrom, lastSeq, count: { unreadCount, version }, missed, limit: REPLAY_LIMIT });
    if (stale) return this.catchUpUser(userId, [socket]).then(() => undefined);
  }

  /**
   * The user's state, with the socket put in the rooms of the user's groups. A membership change applied
   * while the state was read is read again, so the socket never stays in a room it was just taken out of.
   */
  private async stateWithGroups(socket: AppSocket): Promise<UserState> {
    for (let attempt = 0; ; attempt++) {
      const epoch = this.ws.membershipEpoch();
      const state = await this.userStates.state(socket.data.userId);
      if (socket.connected) this.ws.setGroups(socket, state.groups);
      if (epoch === this.ws.membershipEpoch() || attempt === 3) return state;
    }
  }

  /**
   * Sets these sockets of one user right from the store: their group rooms, and what their cursors
   * were never sent (see SocketCursor.catchUp). Answers how many notifications were resent.
   */
  async catchUpUser(userId: string, sockets: readonly AppSocket[]): Promise<number> {
    const state = await this.userStates.state(userId);
    const live = sockets.filter((s) => s.connected);
    const open = live.map((s) => this.cursorOf(s)).filter((c) => c.isLive);
    const from = Math.min(state.lastSeq, ...open.map((c) => c.position));
    const missed = from < state.lastSeq ? await this.repo.since(userId, from, REPLAY_LIMIT + 1) : [];
    const { lastSeq, unreadCount, version } = state;
    let resent = 0;
    for (const socket of live) {
      // Membership changes told while Redis was away are set right from the store.
      this.ws.setGroups(socket, state.groups);
      resent += this.cursorOf(socket).catchUp(lastSeq, { unreadCount, version }, missed, REPLAY_LIMIT);
    }
    return resent;
  }
}

function byUser(changes: readonly UserChange[]): Map<string, UserChange[]> {
  const users = new Map<string, UserChange[]>();
  for (const change of changes) {
    const own = users.get(change.userId);
    if (own) own.push(change);
    else users.set(change.userId, [change]);
  }
  return users;
}

function eventOf(change: UserChange): ServerEventName {
  if (change.kind === 'new') return 'notification:new';
  return change.kind === 'read' ? 'notification:read' : 'notification:deleted';
}
