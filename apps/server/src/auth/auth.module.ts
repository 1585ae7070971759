import { Module } from '@nestjs/common';
import { HttpAuthGuard } from './http-auth.guard.js';
import { HttpRateLimit } from './http-rate-limit.js';
import { RevocationList } from './revocation-list.js';
import { TokenVerifier } from './token-verifier.js';

@Module({
  providers: [TokenVerifier, HttpAuthGuard, HttpRateLimit, RevocationList],
  exports: [TokenVerifier, HttpAuthGuard, HttpRateLimit, RevocationList],
})
export class AuthModule {}
