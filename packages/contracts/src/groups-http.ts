import { z } from 'zod';
import { userIdSchema } from './auth.js';

/** A group's id, as the publisher names it (a class, a team, a chat): 1-200 characters, no control characters. */
export const groupIdSchema = userIdSchema.describe('A group id: 1-200 characters, none of them a control character');

/** Users added or listed at once. */
export const memberIdsSchema = z.array(userIdSchema).min(1).max(1000);

/** The path of the group routes. */
export const groupParamsSchema = z.object({ groupId: groupIdSchema });

/** The path of `DELETE /api/groups/:groupId/members/:userId`. */
export const groupMemberParamsSchema = z.object({ groupId: groupIdSchema, userId: userIdSchema });

/** The body of `PUT /api/groups/:groupId/members`. */
export const addGroupMembersBodySchema = z.object({
  /** Users to add; those already members stay as they are. */
  userIds: memberIdsSchema,
});

/** `PUT /api/groups/:groupId/members` answers 200. */
export const addGroupMembersResponseSchema = z.object({
  groupId: groupIdSchema,
  /** How many of the users were not members yet. */
  added: z.number().int().nonnegative(),
});

/** `GET /api/groups`: the caller's own groups. */
export const groupsResponseSchema = z.object({
  groups: z.array(z.object({ groupId: groupIdSchema })),
});

/** `GET /api/groups/:groupId/members`. */
export const groupMembersResponseSchema = z.object({
  groupId: groupIdSchema,
  /** Every member, in no particular order. */
  userIds: z.array(userIdSchema),
});

export type GroupMembers = z.infer<typeof groupMembersResponseSchema>;
