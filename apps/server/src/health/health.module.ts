import { Global, Module } from '@nestjs/common';
import { DrainService } from './drain.service.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';

@Global()
@Module({
  controllers: [HealthController],
  providers: [HealthService, DrainService],
  exports: [HealthService, DrainService],
})
export class HealthModule {}
