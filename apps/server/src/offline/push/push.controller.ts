import { Body, Controller, Inject, Req, Res, UseGuards } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { type FastifyReply } from 'fastify';
import { type AuthedRequest, HttpAuthGuard } from '../../auth/http-auth.guard.js';
import { ApiError, parseOrThrow } from '../../common/api-error.js';
import { ContractRoute } from '../../common/contract-route.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { DEFAULT_PUSH_ORIGINS, endpointProblem } from './endpoint-origins.js';
import { PushSubscriptionsRepository } from './push-subscriptions.repository.js';
import { VapidKeys } from './vapid-keys.js';

const { getVapidPublicKey, registerPushSubscription, deletePushSubscription } = routes;

/** Web Push for browsers: the server's key, and each browser's subscription for its user. */
@Controller()
@UseGuards(HttpAuthGuard)
export class PushController {
  private readonly origins: readonly string[];

  constructor(
    private readonly keys: VapidKeys,
    private readonly subscriptions: PushSubscriptionsRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.origins = config.pushEndpointOrigins ?? DEFAULT_PUSH_ORIGINS;
  }

  @ContractRoute(getVapidPublicKey)
  publicKey(): RouteResponse<typeof getVapidPublicKey> {
    return { publicKey: this.enabled().publicKey };
  }

  @ContractRoute(registerPushSubscription)
  async register(
    @Req() req: AuthedRequest,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<RouteResponse<typeof registerPushSubscription>> {
    this.enabled();
    const sub = parseOrThrow(registerPushSubscription.body, body, 'body');
    const problem = endpointProblem(sub.endpoint, this.origins);
    if (problem) throw new ApiError('VALIDATION_ERROR', problem);
    const registered = await this.subscriptions.register(req.principal.userId, sub);
    if (!registered) throw new ApiError('FORBIDDEN', 'this endpoint is registered by another user with other keys');
    void res.status(registered.existed ? 200 : 201);
    return { endpoint: sub.endpoint };
  }

  @ContractRoute(deletePushSubscription)
  async unregister(
    @Req() req: AuthedRequest,
    @Body() body: unknown,
  ): Promise<RouteResponse<typeof deletePushSubscription>> {
    const { endpoint } = parseOrThrow(deletePushSubscription.body, body, 'body');
    await this.subscriptions.unregister(req.principal.userId, endpoint);
  }

  private enabled() {
    const keys = this.keys.current;
    if (!keys) throw new ApiError('NOT_FOUND', 'Web Push is not configured on this server (VAPID keys)');
    return keys;
  }
}
