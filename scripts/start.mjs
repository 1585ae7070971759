// `pnpm start`: the gateway on the embedded store, serving the built demo page on the same port.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = `${root}apps/web/dist`;
if (!process.env.WEB_DIST_DIR && existsSync(`${web}/index.html`)) process.env.WEB_DIST_DIR = web;
process.env.DATA_DIR ??= `${root}data`;
// The demo signs its users in through the development token endpoint.
process.env.DEV_TOKENS ??= 'true';
// The demo's pace: an unread notification is emailed (into the development mailbox, without SMTP_URL)
// 30 s after it was sent, digested over 30 s, so a new user sees it within a minute, not fifteen.
process.env.EMAIL_DELAY_SECONDS ??= '30';
process.env.EMAIL_DIGEST_WINDOW_SECONDS ??= '30';

await import('../apps/server/dist/main.js');
