import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { type Principal } from './token-verifier.js';

/** Principals tracked at once; the least recently seen are forgotten first (they start with a full bucket). */
const MAX_TRACKED = 100_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * HTTP requests per second per principal, as a token bucket (bursts of twice the rate): user tokens
 * by HTTP_USER_REQUESTS_PER_SECOND, service and admin tokens by HTTP_SERVICE_REQUESTS_PER_SECOND
 * (0: no limit, the default for them). Counted per process.
 */
@Injectable()
export class HttpRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly userRate: number;
  private readonly serviceRate: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.userRate = config.limits.httpUserRequestsPerSecond;
    this.serviceRate = config.limits.httpServiceRequestsPerSecond;
  }

  /** Takes one request from the principal's budget: 0 when allowed, else the seconds to wait. */
  take({ userId, role }: Principal, now = Date.now()): number {
    const rate = role === 'user' ? this.userRate : this.serviceRate;
    if (rate === 0) return 0;
    const burst = Math.max(1, rate * 2);
    const key = `${role}\u0000${userId}`;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > MAX_TRACKED) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / rate;
  }
}
