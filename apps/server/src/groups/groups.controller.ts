import { Body, Controller, Param, Req, UseGuards } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { type AuthedRequest, HttpAuthGuard } from '../auth/http-auth.guard.js';
import { parseOrThrow } from '../common/api-error.js';
import { ContractRoute } from '../common/contract-route.js';
import { assertMayReadGroup } from './group-access.js';
import { GroupsRepository } from './groups.repository.js';
import { GroupsService } from './groups.service.js';

const { addGroupMembers, removeGroupMember, listGroups, listGroupMembers } = routes;

/** Group membership: services and admins change it, users see their own groups and their groups' members. */
@Controller()
@UseGuards(HttpAuthGuard)
export class GroupsController {
  constructor(
    private readonly groups: GroupsService,
    private readonly repo: GroupsRepository,
  ) {}

  @ContractRoute(addGroupMembers)
  async add(@Param() params: unknown, @Body() body: unknown): Promise<RouteResponse<typeof addGroupMembers>> {
    const { groupId } = parseOrThrow(addGroupMembers.params, params, 'params');
    const { userIds } = parseOrThrow(addGroupMembers.body, body, 'body');
    return { groupId, added: await this.groups.add(groupId, userIds) };
  }

  @ContractRoute(removeGroupMember)
  async remove(@Param() params: unknown): Promise<RouteResponse<typeof removeGroupMember>> {
    const { groupId, userId } = parseOrThrow(removeGroupMember.params, params, 'params');
    await this.groups.remove(groupId, userId);
  }

  @ContractRoute(listGroups)
  async list(@Req() req: AuthedRequest): Promise<RouteResponse<typeof listGroups>> {
    const groups = await this.repo.groupsOf(req.principal.userId);
    return { groups: groups.map((groupId) => ({ groupId })) };
  }

  @ContractRoute(listGroupMembers)
  async members(@Req() req: AuthedRequest, @Param() params: unknown): Promise<RouteResponse<typeof listGroupMembers>> {
    const { groupId } = parseOrThrow(listGroupMembers.params, params, 'params');
    await assertMayReadGroup(this.repo, req.principal, groupId);
    return { groupId, userIds: await this.repo.members(groupId) };
  }
}
