// `pnpm start`: the gateway on the embedded store, serving the built demo page on the same port.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = `${root}apps/web/dist`;
if (!process.env.WEB_DIST_DIR && existsSync(`${web}/index.html`)) process.env.WEB_DIST_DIR = web;
process.env.DATA_DIR ??= `${root}data`;
// The demo signs its users in through the development token endpoint.
process.env.DEV_TOKENS ??= 'true';

await import('../apps/server/dist/main.js');
