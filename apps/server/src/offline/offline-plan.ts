import { Inject, Injectable } from '@nestjs/common';
import { type OfflineOptions } from '@realtime/contracts';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { OFFLINE_SENDERS, type OfflineSender } from './channels/sender.js';

/** The offline deliveries one publish writes for each recipient: a channel, its delay, its deadline. */
export interface DeliveryPlan {
  channels: string[];
  delays: number[];
  /** Emails with one key share a digest (the publisher's `offline.digestKey`). */
  digestKey: string | null;
  /** Seconds after its due time a delivery is given up. */
  maxAgeSeconds: number;
}

/** Which channels a notification takes offline, and when each is due. */
@Injectable()
export class OfflinePlanner {
  constructor(
    @Inject(OFFLINE_SENDERS) private readonly senders: OfflineSender[],
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The server's channels, those the publisher chose (`options.channels`), each due after its own
   * delay (for the type) or `options.delaySeconds`; critical ones at once. Null when there is nothing to plan.
   */
  plan(options: OfflineOptions | undefined, critical: boolean, type: string): DeliveryPlan | null {
    const senders = options?.channels
      ? this.senders.filter((s) => options.channels!.includes(s.channel))
      : this.senders;
    if (senders.length === 0) return null;
    return {
      channels: senders.map((s) => s.channel),
      delays: senders.map((s) => (critical ? 0 : (options?.delaySeconds ?? s.delayFor?.(type) ?? s.delaySeconds))),
      digestKey: options?.digestKey ?? null,
      maxAgeSeconds: this.config.offlineMaxAgeSeconds,
    };
  }
}
