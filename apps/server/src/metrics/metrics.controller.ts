import { Controller, Get, Header, HttpStatus, Inject, Req } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import { bearerToken } from '../auth/token-verifier.js';
import { ApiError } from '../common/api-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MetricsService } from './metrics.service.js';

@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(@Req() req: FastifyRequest): Promise<string> {
    const required = this.config.metricsToken;
    if (required && bearerToken(req.headers.authorization) !== required) {
      throw new ApiError('TOKEN_INVALID', 'metrics require the METRICS_TOKEN bearer token', HttpStatus.UNAUTHORIZED);
    }
    return this.metrics.scrape();
  }
}
