import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  const logger = new Logger('Bootstrap');
  if (config.usingDevSecret) {
    logger.warn('JWT_SECRET is not set: using the development secret (never do this in production)');
  } else if (config.devTokens) {
    logger.warn(
      'POST /api/dev/token mints any token with your JWT_SECRET: set NODE_ENV=production or DEV_TOKENS=false',
    );
  }
  await app.listen(config.port, config.host);
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  logger.log(`listening on http://${host}:${config.port} (socket path ${config.wsPath})`);
}

main().catch((err: unknown) => {
  // Configuration errors are the operator's to fix: one line, no stack.
  if (err instanceof ConfigError) console.error(`error: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
