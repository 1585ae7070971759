// Groups that grow: one notification to every member of a 5,000 and a 100,000 member group, on the
// embedded store and on PostgreSQL. Per group: the members are added over the HTTP API (1,000 per PUT,
// the most the API takes), a sample of members connects, then one POST /api/notifications with an
// Idempotency-Key is timed to its 201 (headers) and to the end of its body, and until every sampled
// socket has its notification:new; the server's RSS is sampled every 10 ms around it (peak minus the
// RSS just before). The same request is then repeated: the replay must answer the same notifications
// and deliver nothing. Any loss, duplicate or wrong answer fails the run (exit 1).
//
//   node apps/bench/src/groups.mjs [--smoke]          with the server built (pnpm --filter @realtime/server build)
//   flock /tmp/bench.lock node apps/bench/src/groups.mjs   full sizes
//
// Environment (all optional):
//   BENCH_GROUP_SIZES     comma-separated member counts (default 5000,100000; smoke 300,2500)
//   BENCH_GROUP_SAMPLE    members that connect a socket (default 200; smoke 20)
//   BENCH_STORES          embedded,postgres (default both; PostgreSQL skipped when it does not answer, outside CI)
//   BENCH_GROUP_ENV       extra server environment as JSON (default {}; smoke '{"GROUP_PUBLISH_CHUNK_SIZE":"1000"}')
import console from 'node:console';
import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';
import { createHttp } from './lib/http.mjs';
import { textTable } from './lib/report.mjs';
import { markdownTable } from './lib/stats.mjs';
import { createDatabase, dropDatabase, postgresProblem } from './lib/postgres.mjs';
import { startServer } from './lib/server.mjs';
import { mb, round } from './lib/stats.mjs';
import { signToken } from './lib/tokens.mjs';
import { now, WireClient } from './lib/wire.mjs';

const PER_PUT = 1000;
const PUT_CONCURRENCY = 4;

/** Defaults of {@link groups}, from the environment and `--smoke`. */
export function groupsOptions(argv = process.argv, env = process.env) {
  const smoke = argv.includes('--smoke') || env.BENCH_SMOKE === '1';
  const sizes = (env.BENCH_GROUP_SIZES ?? (smoke ? '300,2500' : '5000,100000'))
    .split(',')
    .map((s) => Number.parseInt(s, 10))
    .filter((n) => Number.isFinite(n) && n > 0 && n <= 1_000_000);
  const sample = Number.parseInt(env.BENCH_GROUP_SAMPLE ?? '', 10);
  return {
    smoke,
    sizes,
    sample: Number.isFinite(sample) && sample > 0 ? sample : smoke ? 20 : 200,
    stores: (env.BENCH_STORES ?? 'embedded,postgres').split(',').map((s) => s.trim()),
    // Smoke: chunks of 1,000 so that the larger group still takes several.
    serverEnv: env.BENCH_GROUP_ENV
      ? JSON.parse(env.BENCH_GROUP_ENV)
      : smoke
        ? { GROUP_PUBLISH_CHUNK_SIZE: '1000' }
        : {},
  };
}

/**
 * Runs the groups mode; resolves `{ ok, problems, stores: { [store]: [{ members, ... }] } }` and prints
 * a table. `log` receives progress lines.
 */
export async function groups(options = groupsOptions(), log = console.log) {
  const problems = [];
  const stores = {};
  for (const store of options.stores) {
    if (store === 'postgres') {
      const why = await postgresProblem();
      if (why) {
        if (process.env.CI) throw new Error(`PostgreSQL is required in CI: ${why}`);
        log(`[skip] postgres: ${why}`);
        continue;
      }
    }
    stores[store] = [];
    for (const members of options.sizes) {
      const result = await oneGroup(store, members, options, log).catch((err) => ({
        members,
        error: err instanceof Error ? err.message : String(err),
        problems: [],
      }));
      if (result.error) problems.push(`${store} ${members}: ${result.error}`);
      for (const p of result.problems) problems.push(`${store} ${members}: ${p}`);
      stores[store].push(result);
    }
  }
  printTable(stores, log);
  return { ok: problems.length === 0, problems, stores };
}

/** One fresh server and store, one group of `members`, one publish and its replay. */
async function oneGroup(store, members, { sample, serverEnv }, log) {
  const db = store === 'postgres' ? await createDatabase() : null;
  const dataDir = store === 'embedded' ? mkdtempSync(join(os.tmpdir(), 'bench-groups-')) : null;
  const server = await startServer('gateway', {
    ...(db ? { DATABASE_URL: db.url } : { DATA_DIR: dataDir }),
    ...serverEnv,
  });
  const clients = [];
  try {
    return await measureGroup(server, store, members, sample, clients, log);
  } catch (err) {
    // A server that died says why in its log.
    if (server.exited)
      err.message += ` (server exited ${JSON.stringify(server.exited)}: ${server.log.tail.slice(-3).join(' | ')})`;
    throw err;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
    if (db) await dropDatabase(db.name);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Adds the members, connects the sample, publishes and replays; the figures and what went wrong. */
async function measureGroup(server, store, members, sample, clients, log) {
  const http = createHttp(server.baseUrl, { maxSockets: PUT_CONCURRENCY });
  const service = await signToken(server.jwtSecret, { sub: 'bench-groups', role: 'service' });
  const ids = Array.from({ length: members }, (_, i) => `m${String(i).padStart(7, '0')}`);
  const groupId = `g${members}`;

  const t0 = now();
  let cursor = 0;
  const put = async () => {
    while (cursor < ids.length) {
      const userIds = ids.slice(cursor, (cursor += PER_PUT));
      const res = await http.request('PUT', `/api/groups/${groupId}/members`, {
        token: service,
        body: { userIds },
        timeoutMs: 60_000,
      });
      if (res.status !== 200) throw new Error(`PUT members: ${res.status} ${JSON.stringify(res.body)}`);
    }
  };
  await Promise.all(Array.from({ length: PUT_CONCURRENCY }, put));
  const membershipMs = now() - t0;
  log(`${store} ${members}: members added in ${(membershipMs / 1000).toFixed(1)} s`);

  // Sampled members spread over the whole group (first and last included), one socket each.
  const received = new Map();
  const problems = [];
  const sink = {
    onEvent(c, name, payload) {
      if (name !== 'notification:new') return;
      const list = received.get(c.userId) ?? [];
      list.push({ at: now(), payload });
      received.set(c.userId, list);
    },
    onServerError: (c, p) => problems.push(`error event to ${c.userId}: ${JSON.stringify(p)}`),
    onDisconnect: (c, why) => problems.push(`${c.userId} lost its socket: ${why}`),
  };
  const n = Math.min(sample, members);
  const sampled = [
    ...new Set(Array.from({ length: n }, (_, i) => ids[Math.round((i * (members - 1)) / (n - 1 || 1))])),
  ];
  for (const userId of sampled) {
    const token = await signToken(server.jwtSecret, { sub: userId });
    clients.push(new WireClient({ index: clients.length, userId, device: 0, token, sink }));
  }
  for (let i = 0; i < clients.length; i += 50) {
    await Promise.all(clients.slice(i, i + 50).map((c) => c.open(server.wsUrl, 15_000)));
  }
  await sleep(500);

  const body = { groupId, type: 'bench', title: 'to the group', message: 'one for each member' };
  const key = `bench-groups-${members}-${Date.now()}`;
  const first = await measured(server, () => post(server.baseUrl, service, key, body));
  const allArrived = first.status === 201 && (await waitFor(() => sampled.every((u) => received.has(u)), 120_000));
  const deliveredMs = allArrived ? Math.max(...sampled.map((u) => received.get(u)[0].at)) - first.startedAt : null;
  problems.push(...checkAnswer(first, ids, 'first answer'));
  if (!allArrived) problems.push(`${sampled.filter((u) => !received.has(u)).length} sampled members got nothing`);

  await sleep(300);
  const replay = await measured(server, () => post(server.baseUrl, service, key, body));
  problems.push(...checkAnswer(replay, ids, 'replay'));
  if (replay.replayed !== 'true') problems.push('the repeat was not answered as a replay');
  if (replay.text !== first.text) problems.push('the replay answered other notifications than the first answer');
  // A marker after the replay: once it arrived, a duplicate from the replay would have too.
  const marker = await post(server.baseUrl, service, `${key}-marker`, {
    userId: sampled[0],
    title: 'marker',
    message: 'm',
  });
  if (marker.status !== 201) problems.push(`marker publish answered ${marker.status}`);
  await waitFor(() => received.get(sampled[0])?.some((r) => r.payload.notification.title === 'marker'), 10_000);
  for (const userId of sampled) {
    const got = (received.get(userId) ?? []).filter((r) => r.payload.notification.title === body.title);
    if (got.length !== 1) problems.push(`${userId} got the notification ${got.length} times`);
    else if (got[0].payload.notification.seq !== 1)
      problems.push(`${userId} got seq ${got[0].payload.notification.seq}`);
  }
  http.close();
  return {
    members,
    error: null,
    sampled: sampled.length,
    membershipMs: round(membershipMs, 0),
    firstByteMs: round(first.headersMs, 1),
    answerMs: round(first.bodyMs, 1),
    answerBytes: first.bytes,
    deliveredMs: round(deliveredMs, 1),
    rssBeforeBytes: first.rssBefore,
    rssPeakGrowthBytes: first.rssPeak - first.rssBefore,
    replayMs: round(replay.bodyMs, 1),
    replayRssPeakGrowthBytes: replay.rssPeak - replay.rssBefore,
    problems,
  };
}

/** Runs `fn` while sampling the server's RSS every 10 ms: the RSS before and the peak during it. */
async function measured(server, fn) {
  const rssBefore = server.sample().rssBytes;
  let rssPeak = rssBefore;
  const timer = setInterval(() => {
    rssPeak = Math.max(rssPeak, server.sample().rssBytes);
  }, 10);
  try {
    const result = await fn();
    rssPeak = Math.max(rssPeak, server.sample().rssBytes);
    return { ...result, rssBefore, rssPeak };
  } finally {
    clearInterval(timer);
  }
}

/** POST /api/notifications timed to its headers and to the end of its body. */
function post(baseUrl, token, key, body) {
  const payload = JSON.stringify(body);
  const url = new URL('/api/notifications', baseUrl);
  return new Promise((resolve, reject) => {
    const startedAt = now();
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: url.pathname,
        timeout: 300_000,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization: `Bearer ${token}`,
          'idempotency-key': key,
        },
      },
      (res) => {
        const headersMs = now() - startedAt;
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode,
            replayed: res.headers['idempotent-replayed'],
            startedAt,
            headersMs,
            bodyMs: now() - startedAt,
            bytes: Buffer.byteLength(text),
            text,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('POST /api/notifications timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** What is wrong with a 201 that should list one notification per member, each with seq 1. */
function checkAnswer(answer, ids, what) {
  if (answer.status !== 201) return [`${what}: ${answer.status} ${answer.text.slice(0, 300)}`];
  const { notifications } = JSON.parse(answer.text);
  const users = new Set(notifications.map((n) => n.userId));
  const problems = [];
  if (notifications.length !== ids.length || users.size !== ids.length || !ids.every((u) => users.has(u)))
    problems.push(`${what}: ${notifications.length} notifications for ${users.size} of ${ids.length} members`);
  if (!notifications.every((n) => n.seq === 1)) problems.push(`${what}: a seq other than 1`);
  return problems;
}

async function waitFor(done, ms) {
  const deadline = now() + ms;
  while (!done()) {
    if (now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

const HEADER = [
  'store',
  'members',
  '201 (ms)',
  'body (ms)',
  'body MB',
  'sampled delivered (ms)',
  'RSS before',
  'RSS peak growth',
  'replay (ms)',
  'replay RSS growth',
];

/** One row per group: what the table and the markdown show. */
function rows(stores) {
  return Object.entries(stores).flatMap(([store, results]) =>
    results.map((r) =>
      r.error
        ? [store, String(r.members), `failed: ${r.error.split('\n')[0]}`, '', '', '', '', '', '', '']
        : [
            store,
            r.members.toLocaleString('en-US'),
            String(r.firstByteMs),
            String(r.answerMs),
            mb(r.answerBytes),
            String(r.deliveredMs),
            mb(r.rssBeforeBytes),
            mb(r.rssPeakGrowthBytes),
            String(r.replayMs),
            mb(r.replayRssPeakGrowthBytes),
          ],
    ),
  );
}

function printTable(stores, log) {
  log('\ngroup notification: one POST /api/notifications { groupId } per group');
  for (const line of textTable(HEADER, rows(stores))) log(line);
}

/** The mode's section of docs/benchmarks.md. */
export function groupsMarkdown(outcome, { command = 'node apps/bench/src/groups.mjs' } = {}) {
  return [
    '## Groups that grow',
    '',
    'One fresh gateway and store per group: the members are added over `PUT /api/groups/:groupId/members`, a sample',
    'of them connects, then one `POST /api/notifications { groupId }` (with an `Idempotency-Key`) is timed to its 201',
    'and to the end of its body, and until every sampled socket has the notification; the same request again is the',
    'replay. Groups above `GROUP_PUBLISH_CHUNK_SIZE` (5,000) are stored in chunks, one transaction each. RSS is the',
    `server's, from \`/proc\`. \`${command}\``,
    '',
    markdownTable(HEADER, rows(outcome.stores)),
    '',
    outcome.ok
      ? 'Every member was stored once, every sampled socket got the notification once, and the replay matched.'
      : `FAILED: ${outcome.problems.join('; ')}`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  groups().then(
    ({ ok, problems }) => {
      if (ok) console.log('\nSUMMARY: OK, every member stored once, every sampled socket got it once, replays matched');
      else {
        console.log(`\nSUMMARY: FAILED (${problems.length} problem(s))`);
        for (const p of problems.slice(0, 30)) console.log(`  - ${p}`);
      }
      process.exit(ok ? 0 : 1);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
