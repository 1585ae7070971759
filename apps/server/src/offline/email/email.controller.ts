import { Body, Controller, Header, Param, Query, Res, UseGuards } from '@nestjs/common';
import { type RouteResponse, routes } from '@realtime/contracts';
import { type FastifyReply } from 'fastify';
import { HttpAuthGuard } from '../../auth/http-auth.guard.js';
import { ApiError, parseOrThrow } from '../../common/api-error.js';
import { ContractRoute } from '../../common/contract-route.js';
import { PreferencesService } from '../../preferences/preferences.service.js';
import { AddressBook } from './address-book.js';
import { escapeHtml } from './templates.js';
import { type Unsubscribe, UnsubscribeLinks } from './unsubscribe-links.js';

const { getEmailAddress, setEmailAddress, unsubscribePage, unsubscribe } = routes;

/** Where a user's email goes: for services and admins. */
@Controller()
@UseGuards(HttpAuthGuard)
export class EmailAddressController {
  constructor(private readonly addresses: AddressBook) {}

  @ContractRoute(getEmailAddress)
  get(@Param() params: unknown): Promise<RouteResponse<typeof getEmailAddress>> {
    const { userId } = parseOrThrow(getEmailAddress.params, params, 'params');
    return this.addresses.get(userId);
  }

  @ContractRoute(setEmailAddress)
  set(@Param() params: unknown, @Body() body: unknown): Promise<RouteResponse<typeof setEmailAddress>> {
    const { userId } = parseOrThrow(setEmailAddress.params, params, 'params');
    const { email } = parseOrThrow(setEmailAddress.body, body, 'body');
    return this.addresses.set(userId, email);
  }
}

/** The page loads nothing and may only post its form back here. */
const PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The unsubscribe links of emails (RFC 8058): public, authorised by their signature alone. GET asks
 * (link scanners follow links, and must not unsubscribe anybody); POST turns email off.
 */
@Controller()
export class UnsubscribeController {
  constructor(
    private readonly links: UnsubscribeLinks,
    private readonly preferences: PreferencesService,
  ) {}

  @ContractRoute(unsubscribePage)
  @Header('Content-Type', unsubscribePage.responses[200].contentType)
  page(@Query() query: unknown, @Res({ passthrough: true }) res: FastifyReply): string {
    const what = this.verified(query);
    pageHeaders(res);
    return page(
      'Stop these emails?',
      `<p>Email about ${typesText(what.types)} notifications will stop (critical alerts excepted). You still see them in the app.</p>
<form method="post"><button type="submit">Unsubscribe</button></form>`,
    );
  }

  @ContractRoute(unsubscribe)
  @Header('Content-Type', unsubscribe.responses[200].contentType)
  async unsubscribe(@Query() query: unknown, @Res({ passthrough: true }) res: FastifyReply): Promise<string> {
    const what = this.verified(query);
    await this.preferences.update(what.userId, {
      preferences: Object.fromEntries(what.types.map((type) => [type, { email: false }])),
    });
    pageHeaders(res);
    return page(
      'Unsubscribed',
      `<p>You will get no more email about ${typesText(what.types)} notifications (critical alerts excepted). Turn it back on in the app's settings.</p>`,
    );
  }

  private verified(query: unknown): Unsubscribe {
    const { token } = parseOrThrow(unsubscribe.query, query, 'query');
    const what = this.links.verify(token);
    if (!what)
      throw new ApiError('VALIDATION_ERROR', 'this unsubscribe link is not valid (its signature does not hold)');
    return what;
  }
}

const typesText = (types: readonly string[]) => types.map((t) => `<strong>${escapeHtml(t)}</strong>`).join(', ');

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">
<h1 style="font-size:1.4rem">${escapeHtml(title)}</h1>
${body}
</body></html>`;
}

function pageHeaders(res: FastifyReply): void {
  void res.header('content-security-policy', PAGE_POLICY);
  void res.header('x-content-type-options', 'nosniff');
  void res.header('referrer-policy', 'no-referrer');
  void res.header('cache-control', 'no-store');
}
