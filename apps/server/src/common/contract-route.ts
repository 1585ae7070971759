import { applyDecorators, HttpCode, RequestMapping, RequestMethod } from '@nestjs/common';
import { type RouteDef } from '@realtime/contracts';
import { Roles } from '../auth/http-auth.guard.js';

/**
 * Mounts a handler on a route of the contract: its method, path and 2xx status, and for a route of
 * some roles, those roles (enforced by the controller's HttpAuthGuard). What the server serves is then
 * what the documents say.
 */
export function ContractRoute(route: RouteDef): MethodDecorator {
  const success = successStatus(route);
  return applyDecorators(
    RequestMapping({ method: RequestMethod[route.method], path: route.path }),
    ...(success ? [HttpCode(success)] : []),
    ...(Array.isArray(route.access) ? [Roles(...route.access)] : []),
  );
}

/** The 2xx status a route of the contract answers with. */
export function successStatus(route: RouteDef): number | undefined {
  return Object.keys(route.responses)
    .map(Number)
    .find((status) => status < 300);
}
