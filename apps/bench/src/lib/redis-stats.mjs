// A minimal Redis client for the cluster bench's own questions (PING, INFO stats, PUBSUB, SCAN/DEL of
// a run's keys), spoken in RESP over node:net so that the bench needs no Redis library of its own.
import { Buffer } from 'node:buffer';
import { connect } from 'node:net';
import { clearTimeout, setTimeout } from 'node:timers';
import { URL } from 'node:url';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Parses one RESP reply from `buf` at `i`; returns [value, next index] or null when incomplete. */
function parse(buf, i) {
  if (i >= buf.length) return null;
  const eol = buf.indexOf('\r\n', i);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[i]);
  const line = buf.toString('utf8', i + 1, eol);
  const after = eol + 2;
  switch (type) {
    case '+':
      return [line, after];
    case '-':
      return [new Error(line), after];
    case ':':
      return [Number(line), after];
    case '$': {
      const n = Number(line);
      if (n < 0) return [null, after];
      if (buf.length < after + n + 2) return null;
      return [buf.toString('utf8', after, after + n), after + n + 2];
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return [null, after];
      const out = [];
      let j = after;
      for (let k = 0; k < n; k++) {
        const r = parse(buf, j);
        if (!r) return null;
        out.push(r[0]);
        j = r[1];
      }
      return [out, j];
    }
    default:
      throw new Error(`unexpected RESP type ${JSON.stringify(type)}`);
  }
}

/** Connects (rejects within `timeoutMs`); `command(...args)` resolves with the reply, rejects on a Redis error. */
export function redisClient(url = DEFAULT_REDIS_URL, { timeoutMs = 2000 } = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    const waiting = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(
      () => socket.destroy(new Error(`no connection to ${u.host} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        const r = parse(buf, 0);
        if (!r) break;
        buf = buf.subarray(r[1]);
        const w = waiting.shift();
        if (r[0] instanceof Error) w?.reject(r[0]);
        else w?.resolve(r[0]);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      for (const w of waiting.splice(0)) w.reject(err);
      reject(err);
    });
    const command = (...args) =>
      new Promise((res, rej) => {
        waiting.push({ resolve: res, reject: rej });
        const parts = [`*${args.length}\r\n`];
        for (const a of args) parts.push(`$${Buffer.byteLength(String(a))}\r\n${a}\r\n`);
        socket.write(parts.join(''));
      });
    socket.once('connect', async () => {
      clearTimeout(timer);
      try {
        if (u.password)
          await command(
            'AUTH',
            ...(u.username ? [decodeURIComponent(u.username)] : []),
            decodeURIComponent(u.password),
          );
        const db = Number(u.pathname.slice(1));
        if (db) await command('SELECT', db);
        resolve({ command, close: () => socket.end() });
      } catch (err) {
        socket.destroy();
        reject(err);
      }
    });
  });
}

/** null when Redis answers PING, else why not. */
export async function redisProblem(url = DEFAULT_REDIS_URL) {
  try {
    const c = await redisClient(url);
    try {
      await c.command('PING');
    } finally {
      c.close();
    }
    return null;
  } catch (err) {
    return err instanceof Error ? err.message || String(err) : String(err);
  }
}

/** Redis's own byte counters (INFO stats): everything it read and wrote, over all clients. */
export async function netBytes(client) {
  const text = await client.command('INFO', 'stats');
  const field = (name) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { inBytes: field('total_net_input_bytes'), outBytes: field('total_net_output_bytes') };
}

/** Deletes every key under `prefix` (a run's presence, idempotency and adapter keys). */
export async function deleteKeys(client, prefix) {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.command('SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) deleted += await client.command('DEL', ...keys);
  } while (cursor !== '0');
  return deleted;
}
