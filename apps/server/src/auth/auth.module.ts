import { Module } from '@nestjs/common';
import { HttpAuthGuard } from './http-auth.guard.js';
import { TokenVerifier } from './token-verifier.js';

@Module({
  providers: [TokenVerifier, HttpAuthGuard],
  exports: [TokenVerifier, HttpAuthGuard],
})
export class AuthModule {}
