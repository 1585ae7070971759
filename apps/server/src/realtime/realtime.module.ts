import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { FastRoutes } from '../common/fast-route.js';
import { ClientEventRouter } from './client-event-router.js';
import { ConnectionHooks } from './connection-hooks.js';
import { EventsRoute } from './events.route.js';
import { PresenceController } from './presence.controller.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { SessionExpiry } from './session-expiry.js';
import { WebSocketService } from './websocket.service.js';

@Module({
  imports: [AuthModule],
  controllers: [PresenceController],
  providers: [
    FastRoutes,
    EventsRoute,
    RealtimeGateway,
    WebSocketService,
    ClientEventRouter,
    ConnectionHooks,
    SessionExpiry,
  ],
  exports: [FastRoutes, WebSocketService, ClientEventRouter, ConnectionHooks],
})
export class RealtimeModule {}
