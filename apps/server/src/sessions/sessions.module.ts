import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { RevocationService } from './revocation.service.js';
import { SessionsController } from './sessions.controller.js';

@Module({
  imports: [AuthModule, RealtimeModule],
  controllers: [SessionsController],
  providers: [RevocationService],
})
export class SessionsModule {}
