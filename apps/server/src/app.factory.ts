import { type INestApplication, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { type AppConfig } from './config/config.js';
import { RealtimeIoAdapter } from './realtime/realtime-io.adapter.js';
import { REDIS, type RedisPair } from './realtime/redis.module.js';

export interface CreateAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/** Builds the whole server (HTTP + Socket.IO) without listening; `main.ts` and the e2e tests share it. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    logger: options.logger ?? ['log', 'warn', 'error'],
    bodyParser: false,
    // Throw instead of process.abort(), so a failed start-up is reported like any other error.
    abortOnError: false,
  });
  app.useBodyParser('json', { limit: '256kb' });
  app.disable('x-powered-by');
  app.enableCors({ origin: config.corsOrigins ?? true, credentials: true });
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, config, app.get<RedisPair | null>(REDIS)));
  // One command, one port: the built demo page is served by the gateway itself.
  if (config.webDistDir) app.useStaticAssets(config.webDistDir, { index: 'index.html', maxAge: '1h' });
  app.enableShutdownHooks();
  return app;
}
