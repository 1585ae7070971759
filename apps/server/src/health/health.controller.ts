import { Controller, Res } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { type FastifyReply } from 'fastify';
import { ContractRoute } from '../common/contract-route.js';
import { HealthService } from './health.service.js';

@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** 200 while the process serves; 503 when it is wedged (an orchestrator should restart it). */
  @ContractRoute(routes.health)
  live(@Res({ passthrough: true }) res: FastifyReply): RouteResponse<typeof routes.health, 200 | 503> {
    const { live, eventLoop, blocked } = this.health.liveness();
    const uptime = Math.round(process.uptime());
    if (live) return { status: 'ok', uptime, eventLoop };
    res.status(503);
    return { status: 'blocked', uptime, eventLoop, blocked };
  }

  /** 200 when the store (and Redis, if set) answer, else 503; 503 from the moment the process drains. */
  @ContractRoute(routes.ready)
  async ready(@Res({ passthrough: true }) res: FastifyReply): Promise<RouteResponse<typeof routes.ready, 200 | 503>> {
    if (this.health.draining) {
      res.status(503);
      return { status: 'draining' };
    }
    const { ready, checks } = await this.health.readiness();
    res.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'unavailable', checks };
  }
}
