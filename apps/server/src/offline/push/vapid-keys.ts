import { Inject, Injectable, Logger } from '@nestjs/common';
import type * as WebPushApi from 'web-push';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { type Db, type Store } from '../../store/database.js';
import { STORE } from '../../store/store.module.js';

export interface Vapid {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/** The subject of a pair the server made for itself, when VAPID_SUBJECT is not set. */
const DEV_SUBJECT = 'mailto:realtime-dev@localhost.localdomain';

/**
 * Where the VAPID key pair comes from: `VAPID_PUBLIC_KEY` / `VAPID_PRIVATE_KEY` / `VAPID_SUBJECT`;
 * without them, on the embedded store or outside production, a pair made once and kept in the store
 * (every process of the store shares it, and browsers' subscriptions survive a restart); in
 * production on PostgreSQL, none: Web Push is off, and the start-up log says so.
 */
@Injectable()
export class VapidKeys {
  private readonly logger = new Logger('WebPush');
  private keys: Vapid | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: Store,
  ) {}

  /** The pair, once {@link load} found or made one; null when push is off. */
  get current(): Vapid | null {
    return this.keys;
  }

  async load(): Promise<Vapid | null> {
    if (this.config.vapid) {
      this.keys = this.config.vapid;
      this.logger.log('Web Push on, with VAPID keys from the environment');
    } else if (this.config.env === 'production' && this.store.kind === 'postgres') {
      this.logger.warn('Web Push is off: set VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT to turn it on');
    } else {
      this.keys = { ...(await keptPair(this.store.db)), subject: this.config.vapidSubject ?? DEV_SUBJECT };
      this.logger.log('Web Push on, with a development VAPID key pair kept in the store (set VAPID_* in production)');
    }
    return this.keys;
  }
}

/** The pair kept in the store, made (by one process, whichever comes first) if there is none. */
async function keptPair(db: Db): Promise<{ publicKey: string; privateKey: string }> {
  // Loaded here, not at start-up: with VAPID keys in the environment the server never makes a pair.
  const webpush = (await import('web-push')) as unknown as { default: typeof WebPushApi };
  const fresh = webpush.default.generateVAPIDKeys();
  await db
    .insertInto('server_keys')
    .values({ name: 'vapid', value: JSON.stringify(fresh) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_keys').select('value').where('name', '=', 'vapid').executeTakeFirstOrThrow();
  return JSON.parse(row.value) as { publicKey: string; privateKey: string };
}
