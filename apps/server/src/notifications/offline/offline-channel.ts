import { Logger } from '@nestjs/common';
import { type Notification } from '@realtime/contracts';

/** Where a notification goes when its user has no connected socket (email, push, a webhook...). */
export interface OfflineChannel {
  readonly name: string;
  /** Must not throw for delivery failures; it is called without being awaited by the sender. */
  deliver(notification: Notification): Promise<void>;
  /** Waits for deliveries in flight, at shutdown. */
  drain?(): Promise<void>;
}

/** The injection token of the active {@link OfflineChannel}. */
export const OFFLINE_CHANNEL = Symbol('OFFLINE_CHANNEL');

/** The default channel: records that the user would have been reached another way. */
export class LogOfflineChannel implements OfflineChannel {
  readonly name = 'log';
  private readonly logger = new Logger('OfflineChannel');

  async deliver(n: Notification): Promise<void> {
    this.logger.log(`user ${n.userId} is offline: notification ${n.id} (seq ${n.seq}) kept for their next connect`);
  }
}
