import { asyncApiDocument, type DocumentInfo } from './asyncapi.js';
import { docsPage } from './html.js';
import { openApiDocument } from './openapi.js';
import { docsStylesheet } from './stylesheet.js';
import { toYaml } from './yaml.js';
import pkg from '../../package.json' with { type: 'json' };

/** This package's version, which the documents carry. */
export const contractVersion: string = pkg.version;

export { asyncApiDocument, docsPage, docsStylesheet, openApiDocument, toYaml, type DocumentInfo };
export type { PageOptions } from './html.js';

/** The page as the gateway serves it at `GET /docs`, its stylesheet at `GET /docs/contract.css`. */
export const renderDocsPage = (stylesheetHref = '/docs/contract.css') =>
  docsPage({ version: contractVersion, stylesheetHref });

/** The generated documents, by file name, as `pnpm --filter @realtime/contracts docs` writes them to `docs/`. */
export function renderDocuments(info: DocumentInfo = { version: contractVersion }): Record<string, string> {
  return {
    'asyncapi.yaml': toYaml(asyncApiDocument(info)),
    'openapi.yaml': toYaml(openApiDocument(info)),
    'contract.html': docsPage({ ...info, stylesheetHref: 'contract.css' }),
    'contract.css': docsStylesheet,
  };
}
