import { Inject, Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import {
  groupRoom,
  type InterServerEvents,
  type LatestBroadcast,
  type MembershipChange,
  type ServerEventName,
  type ServerPayload,
  type ServerToClientEvents,
  userRoom,
} from '@realtime/contracts';
import { ApiError } from '../common/api-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { BudgetedBroadcast } from './budgeted-broadcast.js';
import { isClustered } from './realtime-io.adapter.js';
import { RedisPresence } from './redis-presence.js';
import { type RoomMessageName, RoomMessages } from './room-messages.js';
import { REDIS, type RedisPair } from './redis.module.js';
import { type AppServer, type AppSocket } from './socket-types.js';

/** Presence that the cluster cannot tell in this time is UNAVAILABLE. */
const PRESENCE_TIMEOUT_MS = 2000;

const unavailable = () => new ApiError('UNAVAILABLE', 'the cluster did not answer in time');

async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable()), PRESENCE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type Args<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>;

/**
 * What may go to rooms: not `authenticated` (one socket's own), nor `notification:*`, which leave
 * only from the store through each socket's cursor (delivery/).
 */
export type RoomEventName = Exclude<ServerEventName, 'authenticated' | `notification:${string}`>;

/** Who gets an event: users' sockets, groups' members' sockets (both at once too), or every socket. */
export type Audience =
  'all' | { userId: string } | { groupId: string } | { userIds?: readonly string[]; groupIds?: readonly string[] };

const GROUP_ROOM_PREFIX = groupRoom('');

/**
 * With sharded pub/sub, an emit to at most this many users goes as one message per user's room, each
 * to the processes holding that user only; a larger audience goes as one message to every process,
 * which carries the payload once (see README, "Scaling out").
 */
const USER_ROOMS_APART = 16;

/** Whether the audience is users only: each socket is in one user room, so per-room emits send no copies. */
const usersOnly = (audience: Audience): boolean =>
  audience !== 'all' && !('groupId' in audience) && ('userId' in audience || !audience.groupIds?.length);

function audienceRooms(audience: Audience): string[] | 'all' {
  if (audience === 'all') return 'all';
  if ('userId' in audience) return [userRoom(audience.userId)];
  if ('groupId' in audience) return [groupRoom(audience.groupId)];
  const rooms = [...(audience.userIds ?? []).map(userRoom), ...(audience.groupIds ?? []).map(groupRoom)];
  return [...new Set(rooms)];
}

function audienceTarget(audience: Audience): 'all' | 'user' | 'users' | 'group' | 'groups' {
  if (audience === 'all') return 'all';
  if ('userId' in audience) return 'user';
  if ('groupId' in audience) return 'group';
  return audience.groupIds?.length ? 'groups' : 'users';
}

/** The one way other modules reach sockets: typed by the contract, addressed by user, cluster-wide. */
@Injectable()
export class WebSocketService implements OnApplicationShutdown {
  private server: AppServer | undefined;

  /** Whether other processes hold sockets too, so presence must ask them. */
  private readonly clustered: boolean;
  /** With Redis, presence lives there (crash-safe heartbeats); without, each process knows its own. */
  private presence: RedisPresence | null = null;
  /** With REDIS_ADAPTER=sharded: messages to the processes holding a room, and only to them. */
  private rooms: RoomMessages | null = null;
  private readonly logger = new Logger('WebSocketService');
  /** Membership changes applied on this process so far (see {@link membershipEpoch}). */
  private membershipChanges = 0;
  /** `events_out{target="socket"}` per event, bound once: a notification is several per-socket emits. */
  private readonly toSocketCounters = new Map<ServerEventName, { inc(): void }>();
  private budget: BudgetedBroadcast | undefined;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(REDIS) private readonly redis: RedisPair | null = null,
  ) {
    this.clustered = isClustered(config);
  }

  /** Called once by the gateway when Socket.IO is up. */
  attach(server: AppServer): void {
    this.server = server;
    if (this.redis?.kind === 'sharded') {
      this.rooms = new RoomMessages(this.redis.pub, this.redis.sub, this.redis.key, server.of('/').adapter);
    }
    const seconds = this.metrics.broadcastSeconds;
    this.budget = new BudgetedBroadcast(server, this.config.limits.broadcastCpuShare, {
      spent: (ms) => seconds.inc(ms / 1000),
      superseded: () => this.metrics.broadcastsSuperseded.inc(),
    });
    this.fromOtherProcesses('groups:changed', (change, ack) => {
      this.applyMembership(change);
      // With sharded pub/sub the group's events reach this process once it subscribed to the room.
      void this.reachable(groupRoom(change.groupId)).then(() => ack(true));
    });
    this.fromOtherProcesses('broadcast:latest', (key, value) => this.broadcastLocally(key, value));
    if (!this.redis) return;
    const presence = new RedisPresence(this.redis.pub, this.redis.key);
    this.presence = presence;
    this.redis.onRecovered(() => presence.recover());
    server.on('connection', (socket) => {
      const { userId } = socket.data;
      presence.joined(userId);
      socket.once('disconnect', () => presence.left(userId));
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.presence?.stop();
  }

  private get io(): AppServer {
    if (!this.server) throw new Error('WebSocketService used before the gateway started');
    return this.server;
  }

  /**
   * Sends an event to an audience, on every process: the sockets of one user or several, the members
   * of one group or several, or everyone. A socket in several of the rooms gets it once.
   */
  emit<E extends RoomEventName>(audience: Audience, event: E, payload: ServerPayload<E>): void {
    const rooms = audienceRooms(audience);
    this.metrics.eventsOut.inc({ event, target: audienceTarget(audience) });
    if (rooms === 'all') this.io.emit(event, ...([payload] as Args<E>));
    else if (this.rooms && rooms.length > 1 && rooms.length <= USER_ROOMS_APART && usersOnly(audience)) {
      for (const room of rooms) this.io.to(room).emit(event, ...([payload] as Args<E>));
    } else if (rooms.length > 0) this.io.to(rooms).emit(event, ...([payload] as Args<E>));
  }

  /**
   * Sends the latest value of a broadcast the server makes by itself (a leaderboard) to everyone or a
   * group's members, on every process, within BROADCAST_CPU_SHARE of each process's time: a newer
   * value of the same `key` replaces one not yet sent (see BudgetedBroadcast). Unlike {@link emit},
   * a socket may skip values, and always ends with the last.
   */
  broadcastLatest(key: string, audience: 'all' | { groupId: string }, payload: LatestBroadcast['payload']): void {
    const value: LatestBroadcast = {
      room: audience === 'all' ? null : groupRoom(audience.groupId),
      event: 'leaderboard:updated',
      payload,
    };
    this.metrics.eventsOut.inc({ event: value.event, target: audienceTarget(audience) });
    this.broadcastLocally(key, value);
    // A group's board goes only to the processes holding its room (with REDIS_ADAPTER=sharded).
    if (value.room === null) this.toOtherProcesses('broadcast:latest', key, value);
    else this.toOtherProcessesHolding(value.room, 'broadcast:latest', key, value);
  }

  private broadcastLocally(key: string, value: LatestBroadcast): void {
    // A process with no socket in the room has nothing to send.
    if (value.room !== null && !this.io.of('/').adapter.rooms.has(value.room)) return;
    this.budget!.send(key, value);
  }

  /**
   * Puts every socket of these users, on every process, in the group's room (`joined`) or takes them
   * out; resolves once every process has applied it, or after the cluster's request timeout (then the
   * processes that missed it are set right when Redis is back: see ClusterCatchUp).
   */
  async changeMembership(groupId: string, userIds: readonly string[], joined: boolean): Promise<void> {
    if (userIds.length === 0) return;
    const change: MembershipChange = { groupId, userIds: [...userIds], joined };
    this.applyMembership(change);
    if (!this.clustered) return;
    try {
      await (this.io.serverSideEmitWithAck as (e: string, c: MembershipChange) => Promise<unknown>)(
        'groups:changed',
        change,
      );
    } catch (err) {
      this.logger.warn(
        `membership of ${groupId} not confirmed by every process: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  /** This process's sockets of the change's users join or leave the group's room. */
  private applyMembership({ groupId, userIds, joined }: MembershipChange): void {
    const room = groupRoom(groupId);
    this.membershipChanges++;
    for (const userId of userIds) {
      for (const socket of this.localSocketsOf(userId)) {
        if (joined) void socket.join(room);
        else void socket.leave(room);
      }
    }
  }

  /**
   * How many membership changes this process has applied: a handshake that read its user's groups and
   * sees this move meanwhile reads them again, so a change made during the read is not undone.
   */
  membershipEpoch(): number {
    return this.membershipChanges;
  }

  /** Puts the socket in exactly these groups' rooms (the handshake, and the catch-up after a Redis outage). */
  setGroups(socket: AppSocket, groupIds: readonly string[]): void {
    const wanted = new Set<string>(groupIds.map(groupRoom));
    for (const room of socket.rooms) {
      if (room.startsWith(GROUP_ROOM_PREFIX) && !wanted.delete(room)) void socket.leave(room);
    }
    if (wanted.size > 0) void socket.join([...wanted]);
  }

  /** This process's sockets of the user. */
  *localSocketsOf(userId: string): Generator<AppSocket> {
    const nsp = this.io.of('/');
    for (const id of nsp.adapter.rooms.get(userRoom(userId)) ?? []) {
      const socket = nsp.sockets.get(id);
      if (socket) yield socket;
    }
  }

  /**
   * Ends every session of the user, on every process: each socket gets `error` with the reason, then
   * is disconnected (the error is flushed first).
   */
  disconnectUser(userId: string, reason: ServerPayload<'error'>): void {
    this.emit({ userId }, 'error', reason);
    this.io.in(userRoom(userId)).disconnectSockets(true);
  }

  /** Like {@link disconnectUser}, for this process's sockets of the user that `which` picks. */
  disconnectLocal(userId: string, reason: ServerPayload<'error'>, which: (s: AppSocket) => boolean): number {
    let n = 0;
    for (const socket of this.localSocketsOf(userId)) {
      if (!which(socket)) continue;
      this.emitToSocket(socket, 'error', reason);
      socket.disconnect(true);
      n++;
    }
    return n;
  }

  /** Calls `listener` for every new socket of this process, right after its handshake. */
  onConnection(listener: (socket: AppSocket) => void): void {
    this.io.on('connection', listener);
  }

  /** This process's sockets. */
  localSockets(): IterableIterator<AppSocket> {
    return this.io.of('/').sockets.values();
  }

  /** Tells the other processes of the cluster (nothing to tell when there are none). */
  toOtherProcesses<E extends keyof InterServerEvents>(event: E, ...args: Parameters<InterServerEvents[E]>): void {
    if (this.clustered) (this.io.serverSideEmit as (e: string, ...a: unknown[]) => void)(event, ...args);
  }

  /**
   * Tells the other processes that hold `room` (have a socket in it). With REDIS_ADAPTER=sharded only
   * they get it, in order per room; otherwise every process does, as with {@link toOtherProcesses}.
   * Heard with {@link fromOtherProcesses}, so a listener must ignore a room it does not hold.
   */
  toOtherProcessesHolding<E extends RoomMessageName>(
    room: string,
    event: E,
    ...args: Parameters<InterServerEvents[E]>
  ): void {
    if (this.rooms) this.rooms.publish(room, event, args);
    else this.toOtherProcesses(event, ...args);
  }

  /** Whether {@link toOtherProcessesHolding} reaches only the processes holding the room (REDIS_ADAPTER=sharded). */
  get roomAddressing(): boolean {
    return this.rooms !== null;
  }

  /**
   * Resolves once what other processes send to `room` reaches this one: at once, but with sharded
   * pub/sub, where this process subscribes to a room's channels when it first holds the room.
   */
  reachable(room: string): Promise<void> {
    return this.rooms?.reachable(room) ?? Promise.resolve();
  }

  /** Listens to what the other processes of the cluster tell, to all of them or to a room this one holds. */
  fromOtherProcesses<E extends keyof InterServerEvents>(event: E, listener: InterServerEvents[E]): void {
    if (!this.clustered) return;
    (this.io.on as (e: string, l: (...a: never[]) => void) => void)(event, listener);
    this.rooms?.on(event, listener);
  }

  /** Sends an event to one socket (e.g. the replay of what that device missed). */
  emitToSocket<E extends ServerEventName>(socket: AppSocket, event: E, payload: ServerPayload<E>): void {
    let counter = this.toSocketCounters.get(event);
    if (!counter)
      this.toSocketCounters.set(event, (counter = this.metrics.eventsOut.labels({ event, target: 'socket' })));
    counter.inc();
    socket.emit(event, ...([payload] as Args<E>));
  }

  /** Sockets of the user across the cluster; UNAVAILABLE when a node or Redis does not answer in time. */
  async connectionCount(userId: string): Promise<number> {
    if (!this.clustered) return this.localRoomSize(userId);
    if (this.presence) return (await this.presenceCounts([userId])).get(userId) ?? 0;
    const sockets = await this.fetchSockets([userRoom(userId)]);
    return sockets.length;
  }

  /** Which of these users have a socket anywhere in the cluster, in one round. */
  async connectedUsers(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    if (!this.clustered) return new Set(userIds.filter((u) => this.localRoomSize(u) > 0));
    if (this.presence) {
      const counts = await this.presenceCounts(userIds);
      return new Set([...counts].filter(([, n]) => n > 0).map(([u]) => u));
    }
    const sockets = await this.fetchSockets([...new Set(userIds)].map(userRoom));
    return new Set(sockets.map((s) => s.data.userId));
  }

  // A process alone knows every socket: its own rooms answer without building socket objects.
  private localRoomSize(userId: string): number {
    return this.io.of('/').adapter.rooms.get(userRoom(userId))?.size ?? 0;
  }

  private presenceCounts(userIds: readonly string[]): Promise<Map<string, number>> {
    return withTimeout(this.presence!.counts(userIds)).catch((err: unknown) => {
      throw err instanceof ApiError ? err : unavailable();
    });
  }

  // Across WORKERS this asks every worker; one that does not answer would otherwise be waited for forever.
  private async fetchSockets(rooms: string[]) {
    return withTimeout(this.io.in(rooms).fetchSockets()).catch((err: unknown) => {
      throw err instanceof ApiError ? err : unavailable();
    });
  }

  async isUserConnected(userId: string): Promise<boolean> {
    return (await this.connectionCount(userId)) > 0;
  }
}
