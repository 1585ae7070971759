import { Inject, Injectable } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Db, type Store } from '../../store/database.js';
import { STORE } from '../../store/store.module.js';

const KEY_NAME = 'email-unsubscribe';

/** What a link turns off: email for these notification types of this user. */
export interface Unsubscribe {
  userId: string;
  types: string[];
}

/**
 * The signed links of `List-Unsubscribe` (RFC 8058): `<publicUrl>/api/email/unsubscribe?token=`, the
 * token `base64url(JSON {u, t}).base64url(HMAC-SHA256)` with a key the server made once and keeps in
 * the store (every process of a cluster shares it). They do not expire: an old email's link still works.
 */
@Injectable()
export class UnsubscribeLinks {
  private readonly db: Db;
  private key: Buffer | null = null;
  /** A short value of this installation's own (from its key), for Message-IDs. */
  installTag = '';

  constructor(@Inject(STORE) store: Store) {
    this.db = store.db;
  }

  /** Reads the key, or makes it the first time (the first process to start wins; the others read it). */
  async load(): Promise<void> {
    await this.db
      .insertInto('server_keys')
      .values({ name: KEY_NAME, value: randomBytes(32).toString('base64url') })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('server_keys')
      .select('value')
      .where('name', '=', KEY_NAME)
      .executeTakeFirstOrThrow();
    this.key = Buffer.from(row.value, 'base64url');
    this.installTag = this.sign('message-id')
      .slice(0, 10)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0');
  }

  url(publicUrl: string, what: Unsubscribe): string {
    const payload = Buffer.from(JSON.stringify({ u: what.userId, t: [...new Set(what.types)].sort() })).toString(
      'base64url',
    );
    return `${publicUrl}/api/email/unsubscribe?token=${payload}.${this.sign(payload)}`;
  }

  /** The link's user and types, or null when its signature does not hold. */
  verify(token: string): Unsubscribe | null {
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) return null;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const { u, t } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u: unknown; t: unknown };
      if (typeof u !== 'string' || !Array.isArray(t) || !t.every((x) => typeof x === 'string')) return null;
      return { userId: u, types: t as string[] };
    } catch {
      return null;
    }
  }

  private sign(payload: string): string {
    if (!this.key) throw new Error('unsubscribe key not loaded');
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
