import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ClientEventRouter } from '../realtime/client-event-router.js';
import { ConnectionHooks } from '../realtime/connection-hooks.js';
import { DeliveryService } from '../delivery/delivery.service.js';
import { NotificationsService } from './notifications.service.js';

/** Wires the notification client events and the handshake's replay into the gateway. */
@Injectable()
export class NotificationsSocket implements OnModuleInit {
  constructor(
    private readonly router: ClientEventRouter,
    private readonly hooks: ConnectionHooks,
    private readonly notifications: NotificationsService,
    private readonly delivery: DeliveryService,
  ) {}

  onModuleInit(): void {
    const n = this.notifications;
    this.router.handle('notification:mark_read', ({ notificationId }, s) => n.markRead(s.data.userId, notificationId));
    this.router.handle('notification:mark_all_read', (_payload, s) => n.markAllRead(s.data.userId));
    this.router.handle('notification:delete', ({ notificationId }, s) => n.delete(s.data.userId, notificationId));
    this.hooks.register((socket) => this.delivery.handshake(socket));
  }
}
