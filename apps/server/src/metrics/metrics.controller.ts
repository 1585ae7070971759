import { Controller, Header, Inject, Req } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { type FastifyRequest } from 'fastify';
import { bearerToken } from '../auth/token-verifier.js';
import { ApiError } from '../common/api-error.js';
import { ContractRoute } from '../common/contract-route.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MetricsService } from './metrics.service.js';

@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @ContractRoute(routes.metrics)
  @Header('Content-Type', routes.metrics.responses[200].contentType)
  async scrape(@Req() req: FastifyRequest): Promise<RouteResponse<typeof routes.metrics>> {
    const required = this.config.metricsToken;
    const given = bearerToken(req.headers.authorization);
    if (required && given !== required) {
      const code = given === undefined ? 'TOKEN_MISSING' : 'TOKEN_INVALID';
      throw new ApiError(code, 'metrics require the METRICS_TOKEN bearer token');
    }
    return this.metrics.scrape();
  }
}
