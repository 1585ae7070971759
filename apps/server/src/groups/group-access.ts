import { type Principal } from '../auth/token-verifier.js';
import { ApiError } from '../common/api-error.js';
import { type GroupsRepository } from './groups.repository.js';

/** Services and admins may read any group (members, board); a user, only a group they are a member of (else 403). */
export async function assertMayReadGroup(
  groups: GroupsRepository,
  principal: Principal,
  groupId: string,
): Promise<void> {
  if (principal.role !== 'user') return;
  if (!(await groups.isMember(groupId, principal.userId))) {
    throw ApiError.forbidden(`only members of ${groupId}, services and admins may see it`);
  }
}
