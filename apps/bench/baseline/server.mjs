// The yardstick: the gateway's wire contract done the way a competent developer would without a
// framework, with node:http and socket.io (the gateway's version). It keeps unread counts in a Map and
// stores nothing. The benchmark runs it with the same environment as the gateway.
//
//   socket:  JWT checked in io.use; joins user:{sub};
//            emits authenticated, notification:unread_count, then notification:synced (nothing to replay)
//   HTTP:    GET /ready -> 200; POST /api/events (bearer, role service or admin) -> 202
//
// Tokens are checked on every handshake and request, nothing cached: by default with node:crypto's
// HMAC (./hmac-jwt.mjs: HS256 signature, header, exp/iat/nbf, iss/aud when set, sub), as a careful
// bare server would; with BASELINE_JWT=jose through jose's jwtVerify (WebCrypto), the slower check
// the bench used to compare against, kept as a second figure.
import { Buffer } from 'node:buffer';
import console from 'node:console';
import { createServer } from 'node:http';
import process from 'node:process';
import { TextEncoder } from 'node:util';
import { Server } from 'socket.io';
import { hmacVerifier, TokenError } from './hmac-jwt.mjs';

const verify = process.env.BASELINE_JWT === 'jose' ? await joseVerifier() : nodeCryptoVerifier();
const MAX_BODY = 256 * 1024;
const unread = new Map(); // userId -> { unreadCount, version, lastSeq }

function nodeCryptoVerifier() {
  return hmacVerifier(process.env.JWT_SECRET ?? '', {
    issuer: process.env.JWT_ISSUER || undefined,
    audience: process.env.JWT_AUDIENCE || undefined,
  });
}

/** Loaded only when chosen, so that the default server does not carry jose. */
async function joseVerifier() {
  const { errors, jwtVerify } = await import('jose');
  const key = new TextEncoder().encode(process.env.JWT_SECRET);
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        requiredClaims: ['exp'],
        issuer: process.env.JWT_ISSUER || undefined,
        audience: process.env.JWT_AUDIENCE || undefined,
      });
      if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('sub must be a non-empty string');
      return payload;
    } catch (err) {
      throw new TokenError(err instanceof errors.JWTExpired ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID', String(err));
    }
  };
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
  const refuse = (err) => next(refusal(err.code === 'TOKEN_EXPIRED' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID'));
  const admit = (claims) => {
    socket.data.userId = claims.sub;
    socket.data.email = claims.email ?? null;
    next();
  };
  // The node:crypto check is synchronous, as the gateway's is: no promise in between.
  let claims;
  try {
    claims = verify(socket.handshake.auth?.token);
  } catch (err) {
    return refuse(err);
  }
  if (claims instanceof Promise) claims.then(admit, refuse);
  else admit(claims);
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
