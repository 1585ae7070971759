// The yardstick: the gateway's wire contract done the way a competent developer would without a
// framework, with node:http, socket.io (the gateway's version) and jose. It keeps unread counts in a
// Map and stores nothing. The benchmark runs it with the same environment as the gateway.
//
//   socket:  JWT (HS256, sub and exp required) checked in io.use; joins user:{sub};
//            emits authenticated, notification:unread_count, then notification:synced (nothing to replay)
//   HTTP:    GET /ready -> 200; POST /api/events (bearer, role service or admin) -> 202
import { Buffer } from 'node:buffer';
import console from 'node:console';
import { createServer } from 'node:http';
import process from 'node:process';
import { TextEncoder } from 'node:util';
import { errors, jwtVerify } from 'jose';
import { Server } from 'socket.io';

const key = new TextEncoder().encode(process.env.JWT_SECRET);
const MAX_BODY = 256 * 1024;
const unread = new Map(); // userId -> { unreadCount, version, lastSeq }

async function verify(token) {
  const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['exp'] });
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('sub must be a non-empty string');
  return payload;
}

const refusal = (code) => Object.assign(new Error('Unauthorized'), { data: { code } });

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(Object.assign(new Error('invalid JSON'), { status: 400 }));
      }
    });
  });
}

async function publish(req, res) {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  let claims;
  try {
    claims = await verify(token);
  } catch {
    return send(res, 401, { statusCode: 401, code: 'TOKEN_INVALID', message: 'invalid token' });
  }
  if (claims.role !== 'service' && claims.role !== 'admin') {
    return send(res, 403, { statusCode: 403, code: 'FORBIDDEN', message: 'requires role service or admin' });
  }
  const body = await readJson(req);
  const { event, payload, userIds } = body ?? {};
  const badIds =
    userIds !== undefined &&
    (!Array.isArray(userIds) || userIds.length === 0 || userIds.some((u) => typeof u !== 'string' || !u));
  if (
    typeof event !== 'string' ||
    event === 'authenticated' ||
    event === 'error' ||
    typeof payload !== 'object' ||
    payload === null ||
    badIds
  ) {
    return send(res, 400, { statusCode: 400, code: 'VALIDATION_ERROR', message: 'invalid body' });
  }
  if (userIds) io.to(userIds.map((u) => `user:${u}`)).emit(event, payload);
  else io.emit(event, payload);
  send(res, 202, { accepted: true });
}

const http = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/ready') return send(res, 200, { status: 'ready' });
  if (req.method === 'POST' && req.url === '/api/events') {
    return publish(req, res).catch((err) => {
      if (!res.headersSent) send(res, err.status ?? 500, { statusCode: err.status ?? 500, message: err.message });
    });
  }
  send(res, 404, { statusCode: 404, message: 'not found' });
});

const io = new Server(http, { path: '/socket.io/', serveClient: false, cors: { origin: true, credentials: true } });

io.use((socket, next) => {
  verify(socket.handshake.auth?.token).then(
    (claims) => {
      socket.data.userId = claims.sub;
      socket.data.email = claims.email ?? null;
      next();
    },
    (err) => next(refusal(err instanceof errors.JWTExpired ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID')),
  );
});

io.on('connection', (socket) => {
  const { userId, email } = socket.data;
  socket.join(`user:${userId}`);
  socket.emit('authenticated', { success: true, userId, email });
  const state = unread.get(userId) ?? { unreadCount: 0, version: 0, lastSeq: 0 };
  socket.emit('notification:unread_count', { unreadCount: state.unreadCount, version: state.version });
  socket.emit('notification:synced', { lastSeq: state.lastSeq });
});

http.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`baseline listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`);
});

process.on('SIGTERM', () => {
  io.close(() => process.exit(0));
  http.closeAllConnections();
});
