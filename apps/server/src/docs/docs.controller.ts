import { Controller, Header, Res } from '@nestjs/common';
import { routes } from '@realtime/contracts';
import { type FastifyReply } from 'fastify';
import { ContractRoute } from '../common/contract-route.js';

/** The page loads nothing but its stylesheet from here: no script, no inline style, no frame. */
const PAGE_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The renderer is loaded on the first request: a gateway nobody reads the page of never pays for it. */
let rendered: Promise<{ page: string; stylesheet: string }> | undefined;
const render = () =>
  (rendered ??= import('@realtime/contracts/docs').then(({ renderDocsPage, docsStylesheet }) => ({
    page: renderDocsPage(routes.docsStylesheet.path),
    stylesheet: docsStylesheet,
  })));

/** `GET /docs`: the contract (every socket event and HTTP route) as a page, generated from the contract package. */
@Controller()
export class DocsController {
  @ContractRoute(routes.docs)
  @Header('Content-Type', routes.docs.responses[200].contentType)
  async page(@Res({ passthrough: true }) res: FastifyReply): Promise<string> {
    securityHeaders(res);
    return (await render()).page;
  }

  @ContractRoute(routes.docsStylesheet)
  @Header('Content-Type', routes.docsStylesheet.responses[200].contentType)
  async stylesheet(@Res({ passthrough: true }) res: FastifyReply): Promise<string> {
    securityHeaders(res);
    return (await render()).stylesheet;
  }
}

function securityHeaders(res: FastifyReply): void {
  void res.header('content-security-policy', PAGE_POLICY);
  void res.header('x-content-type-options', 'nosniff');
  void res.header('referrer-policy', 'no-referrer');
  void res.header('cache-control', 'no-cache');
}
