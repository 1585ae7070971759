import { Controller, Inject, Module, Query } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { parseOrThrow } from '../../common/api-error.js';
import { ContractRoute } from '../../common/contract-route.js';
import { type Db, type Store } from '../../store/database.js';
import { STORE } from '../../store/store.module.js';

const { devMailbox } = routes;

/** `GET /api/dev/mailbox`: what a server without SMTP_URL kept instead of sending. Development only. */
@Controller()
export class DevMailboxController {
  private readonly db: Db;

  constructor(@Inject(STORE) store: Store) {
    this.db = store.db;
  }

  @ContractRoute(devMailbox)
  async list(@Query() query: unknown): Promise<RouteResponse<typeof devMailbox>> {
    const { userId } = parseOrThrow(devMailbox.query, query, 'query');
    const rows = await this.db
      .selectFrom('dev_mailbox')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .limit(50)
      .execute();
    return {
      messages: rows.map((r) => ({
        id: String(r.id),
        userId: r.user_id,
        to: r.to_address,
        from: r.from_address,
        subject: r.subject,
        text: r.text_body,
        html: r.html_body,
        messageId: r.message_id,
        unsubscribeUrl: r.unsubscribe_url,
        notifications: r.notifications,
        sentAt: new Date(r.sent_at).toISOString(),
      })),
    };
  }
}

/** Mounted only with DEV_TOKENS=true, never in production (like the development token endpoint). */
@Module({ controllers: [DevMailboxController] })
export class DevMailboxModule {}
