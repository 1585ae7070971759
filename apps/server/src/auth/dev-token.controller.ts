import { Body, Controller, Inject, Post } from '@nestjs/common';
import { roleSchema } from '@realtime/contracts';
import { z } from 'zod';
import { parseOrThrow } from '../common/api-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { TokenVerifier } from './token-verifier.js';

const devTokenBodySchema = z
  .object({
    userId: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only, at most 64')
      .optional(),
    name: z.string().trim().min(1).max(64).optional(),
    email: z.email().optional(),
    role: roleSchema.default('user'),
  })
  .refine((b) => b.userId ?? b.name, 'give a userId or a name');

const slug = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .slice(0, 64) || 'user';

/** `POST /api/dev/token`: mints a token for a demo user. Only mounted outside production. */
@Controller('api/dev')
export class DevTokenController {
  constructor(
    private readonly verifier: TokenVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('token')
  token(@Body() body: unknown) {
    const input = parseOrThrow(devTokenBodySchema, body ?? {}, 'body');
    const userId = input.userId ?? slug(input.name!);
    const email = input.email ?? `${userId}@demo.local`;
    const name = input.name ?? userId;
    const { token, expiresAt } = this.verifier.sign(
      { sub: userId, email, name, role: input.role },
      this.config.devTokenTtlSeconds,
    );
    return { token, userId, email, role: input.role, displayName: name, expiresAt: new Date(expiresAt).toISOString() };
  }
}
