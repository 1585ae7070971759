import { Body, Controller, Inject } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { parseOrThrow } from '../common/api-error.js';
import { ContractRoute } from '../common/contract-route.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { TokenVerifier } from './token-verifier.js';

const { createDevToken } = routes;

const slug = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .slice(0, 64) || 'user';

/** `POST /api/dev/token`: mints a token for a demo user. Only mounted outside production. */
@Controller()
export class DevTokenController {
  constructor(
    private readonly verifier: TokenVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @ContractRoute(createDevToken)
  token(@Body() body: unknown): RouteResponse<typeof createDevToken> {
    const input = parseOrThrow(createDevToken.body, body ?? {}, 'body');
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
