import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/** What the list needs of a token to decide. */
interface Issued {
  userId: string;
  /** `iat`, epoch seconds; null when the token has none. */
  issuedAt: number | null;
}

/**
 * Per user, the time before which their tokens are refused (`POST /api/sessions/revoke`), as this
 * process knows it: the sessions module fills it from the store and from the cluster's broadcasts.
 */
@Injectable()
export class RevocationList {
  private readonly revokedBefore = new Map<string, number>();
  private readonly maxLifetimeSeconds: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.maxLifetimeSeconds = config.jwtMaxLifetimeSeconds;
  }

  /** Records a revocation; false when an equal or later one was known already. */
  add(userId: string, revokedBefore: number): boolean {
    if ((this.revokedBefore.get(userId) ?? -1) >= revokedBefore) return false;
    this.revokedBefore.set(userId, revokedBefore);
    return true;
  }

  /** Whether the token was issued at or before its user's revocation (a token without `iat`, whenever). */
  revokes({ userId, issuedAt }: Issued): boolean {
    const before = this.revokedBefore.get(userId);
    return before !== undefined && (issuedAt === null || issuedAt <= before);
  }

  /** Forgets revocations older than the longest token lifetime: every token they refuse has expired. */
  prune(nowSeconds = Date.now() / 1000): void {
    for (const [userId, before] of this.revokedBefore) {
      if (before < nowSeconds - this.maxLifetimeSeconds) this.revokedBefore.delete(userId);
    }
  }
}
