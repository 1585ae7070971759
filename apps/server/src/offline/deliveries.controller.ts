import { Controller, Param, Req, UseGuards } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { type AuthedRequest, HttpAuthGuard } from '../auth/http-auth.guard.js';
import { ApiError, parseOrThrow } from '../common/api-error.js';
import { ContractRoute } from '../common/contract-route.js';
import { OutboxRepository } from './outbox.repository.js';

const { listDeliveries } = routes;

/** Where a notification's offline deliveries stand. */
@Controller()
@UseGuards(HttpAuthGuard)
export class DeliveriesController {
  constructor(private readonly outbox: OutboxRepository) {}

  @ContractRoute(listDeliveries)
  async list(@Req() req: AuthedRequest, @Param() params: unknown): Promise<RouteResponse<typeof listDeliveries>> {
    const { id } = parseOrThrow(listDeliveries.params, params, 'params');
    const { userId, role } = req.principal;
    const deliveries = await this.outbox.ofNotification(id, role === 'user' ? userId : undefined);
    if (!deliveries) throw new ApiError('NOT_FOUND', `notification ${id} not found`);
    return { deliveries };
  }
}
