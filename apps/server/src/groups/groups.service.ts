import { Injectable } from '@nestjs/common';
import { LeaderboardBroadcaster } from '../gamification/leaderboard-broadcaster.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { UserStateRepository } from '../user-state/user-state.repository.js';
import { GroupsRepository } from './groups.repository.js';

/**
 * Server-owned group membership: stored, then applied to the members' sockets on every process before
 * the change is answered, so nothing sent to a group after the answer reaches a user who left it.
 */
@Injectable()
export class GroupsService {
  constructor(
    private readonly repo: GroupsRepository,
    private readonly states: UserStateRepository,
    private readonly ws: WebSocketService,
    private readonly leaderboard: LeaderboardBroadcaster,
  ) {}

  /** Adds members; how many were not members yet. */
  async add(groupId: string, userIds: readonly string[]): Promise<number> {
    const changed = await this.repo.add(groupId, userIds);
    // The state first: a handshake that reads it again after the rooms move sees the new groups.
    this.states.committed(changed.states);
    await this.ws.changeMembership(groupId, changed.userIds, true);
    if (changed.userIds.length > 0) this.leaderboard.groupChanged(groupId);
    return changed.userIds.length;
  }

  async remove(groupId: string, userId: string): Promise<void> {
    const changed = await this.repo.remove(groupId, userId);
    this.states.committed(changed.states);
    await this.ws.changeMembership(groupId, changed.userIds, false);
    if (changed.userIds.length > 0) this.leaderboard.groupChanged(groupId);
  }
}
