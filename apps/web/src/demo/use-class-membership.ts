import { useEffect, useState } from 'react';
import { describeError } from '../gateway/failures.js';
import { DEMO_CLASS } from './demo-users.js';
import { joinGroup } from './service-api.js';

// One enrolment per user and page load: a remount or StrictMode's second effect reuses it; a failed one is tried again.
const enrolments = new Map<string, Promise<unknown>>();

function enrol(userId: string): Promise<unknown> {
  let pending = enrolments.get(userId);
  if (!pending) {
    pending = joinGroup(DEMO_CLASS.groupId, userId);
    pending.catch(() => enrolments.delete(userId));
    enrolments.set(userId, pending);
  }
  return pending;
}

export interface ClassMembership {
  /** The gateway answered: the user is a member, so the class board may be read. */
  joined: boolean;
  error: string | null;
}

/**
 * Puts the signed-in user in the demo's class, as your backend would on enrolment. On every page load, not
 * only at sign-in: adding a member twice changes nothing, and a tab kept from before still ends up in the class.
 */
export function useClassMembership(userId: string): ClassMembership {
  const [state, setState] = useState<ClassMembership>({ joined: false, error: null });

  useEffect(() => {
    let current = true;
    enrol(userId).then(
      () => current && setState({ joined: true, error: null }),
      (err: unknown) => current && setState({ joined: false, error: describeError(err) }),
    );
    return () => {
      current = false;
    };
  }, [userId]);

  return state;
}
