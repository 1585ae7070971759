// The floor under the gateway's idle memory: an empty NestJS application on the same stack as the
// gateway (Nest + Fastify + @nestjs/platform-socket.io), with one module, one controller (GET /ready,
// which the bench waits for) and one WebSocket gateway with one handler, and nothing else. Its
// packages are resolved from @realtime/server, so it runs exactly the gateway's versions. Plain
// JavaScript: Nest's decorators are called as the functions they are, so nothing needs building.
//
//   node apps/bench/empty-nest/main.mjs      (PORT, HOST; SIGTERM closes it)
import console from 'node:console';
import { createRequire } from 'node:module';
import process from 'node:process';

// The server's own copies: what `require` would find from apps/server.
const require = createRequire(createRequire(import.meta.url).resolve('@realtime/server/package.json'));
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { IoAdapter } = require('@nestjs/platform-socket.io');
const { SubscribeMessage, WebSocketGateway } = require('@nestjs/websockets');

/** Applies a method decorator, as TypeScript's `@Decorator() method() {}` does. */
function decorate(decorator, cls, method) {
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, method);
  Object.defineProperty(cls.prototype, method, decorator(cls.prototype, method, descriptor) ?? descriptor);
}

class ReadyController {
  ready() {
    return { status: 'ready' };
  }
}
Controller()(ReadyController);
decorate(Get('ready'), ReadyController, 'ready');

class EchoGateway {
  ping(_client, data) {
    return { event: 'pong', data };
  }
}
WebSocketGateway({ path: '/socket.io/', cors: { origin: true, credentials: true } })(EchoGateway);
decorate(SubscribeMessage('ping'), EchoGateway, 'ping');

class EmptyModule {}
Module({ controllers: [ReadyController], providers: [EchoGateway] })(EmptyModule);

const app = await NestFactory.create(EmptyModule, new FastifyAdapter(), { logger: ['warn', 'error'] });
app.useWebSocketAdapter(new IoAdapter(app));
app.enableShutdownHooks();
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3000);
await app.listen(port, host);
console.log(`empty Nest app listening on http://${host}:${port}`);
