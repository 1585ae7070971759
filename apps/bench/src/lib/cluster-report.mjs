// How the cluster bench's results read: the line per run, the summary by adapter with its ratios and
// target, the text the bench prints and the markdown section for docs/benchmarks.md.
import { markdownTable, num, round, tableLines } from './stats.mjs';

/** The issue's target: CPU and Redis bytes per event at N processes within 1.2x of one process. */
export const CLUSTER_TARGET = 1.2;

/** One run in a line: throughput, CPU and Redis bytes per event, where the sockets and POSTs went. */
export function runLine(r) {
  if (r.error) return `FAILED: ${r.error.split('\n')[0]}`;
  const f = r.fanout;
  return (
    `${num(f.deliveriesPerSec)} deliveries/s, ${num(f.serverCpuMsPerEvent)} ms CPU/event (${num(r.idleCpu.cpuMsPerEventLessIdle)} less idle; all processes: ` +
    `${r.cpuSecondsByProcess.map((v) => num(v)).join(' + ')} s), Redis ${num(r.redis.outBytesPerEvent)} B out + ` +
    `${num(r.redis.inBytesPerEvent)} B in per event, p99 ${num(f.latencyMs.p99)} ms; sockets per process ` +
    `${r.socketsPerProcess.join('/')}, POSTs per process ${r.postsByProcess.join('/')} (${r.postsToAnotherProcess} to another process than their user's); Redis subscriptions ` +
    `${r.redisSubscriptions.channels} channels, ${r.redisSubscriptions.shardChannels} shard channels`
  );
}

/**
 * Per adapter: the figures by process count and their ratio to the smallest count (of the runs that
 * POST at random; the control run, `routing: 'home'`, comes last and is compared to the same base).
 */
export function clusterSummary(outcome) {
  const byAdapter = {};
  for (const r of outcome.runs) (byAdapter[r.adapter] ??= []).push(r);
  const out = {};
  for (const [adapter, runs] of Object.entries(byAdapter)) {
    const ok = runs.filter((r) => !r.error);
    const base = ok.find((r) => r.routing !== 'home');
    const ratio = (v, b) => (v !== null && v !== undefined && b ? round(v / b, 2) : null);
    out[adapter] = ok.map((r) => ({
      processes: r.processes,
      routing: r.routing ?? 'random',
      deliveriesPerSec: r.fanout.deliveriesPerSec,
      cpuMsPerEvent: r.fanout.serverCpuMsPerEvent,
      cpuMsPerEventLessIdle: r.idleCpu.cpuMsPerEventLessIdle,
      idleCores: round((r.idleCpu.cores[0] + r.idleCpu.cores[1]) / 2, 3),
      redisOutBytesPerEvent: r.redis.outBytesPerEvent,
      redisInBytesPerEvent: r.redis.inBytesPerEvent,
      p99Ms: r.fanout.latencyMs.p99,
      cpuRatio: ratio(r.fanout.serverCpuMsPerEvent, base?.fanout.serverCpuMsPerEvent),
      redisOutRatio: ratio(r.redis.outBytesPerEvent, base?.redis.outBytesPerEvent),
      redisTotalRatio: ratio(
        r.redis.outBytesPerEvent + r.redis.inBytesPerEvent,
        base ? base.redis.outBytesPerEvent + base.redis.inBytesPerEvent : null,
      ),
    }));
  }
  return out;
}

const HEADER = [
  'processes',
  'deliveries/s',
  'CPU ms/event (all)',
  'less idle',
  'idle CPU (cores)',
  'Redis out B/event',
  'Redis in B/event',
  'p99 ms',
  'CPU vs 1',
  'Redis out vs 1',
  'target',
];
const x = (v) => (v === null || v === undefined ? '-' : `${v.toFixed(2)}x`);

/** The control run's row label: every POST went to the process that holds its user. */
const HOME_LABEL = "(each POST to its user's process)";

function summaryRows(rows) {
  return rows.map((s, i) => {
    const home = s.routing === 'home';
    const judged = i > 0 && !home && s.cpuRatio !== null && s.redisOutRatio !== null;
    const pass = judged && s.cpuRatio <= CLUSTER_TARGET && s.redisOutRatio <= CLUSTER_TARGET;
    return [
      home ? `${s.processes} ${HOME_LABEL}` : String(s.processes),
      num(s.deliveriesPerSec),
      num(s.cpuMsPerEvent),
      num(s.cpuMsPerEventLessIdle),
      num(s.idleCores),
      num(s.redisOutBytesPerEvent),
      num(s.redisInBytesPerEvent),
      num(s.p99Ms),
      x(s.cpuRatio),
      x(s.redisOutRatio),
      judged ? `<= ${CLUSTER_TARGET}x ${pass ? 'PASS' : 'MISS'}` : home ? 'control' : '',
    ];
  });
}

export function clusterLines(outcome) {
  const lines = [];
  for (const [adapter, rows] of Object.entries(outcome.summary ?? {})) {
    lines.push(
      '',
      `${adapter} adapter (${outcome.params.sockets} sockets, devices of a user ${outcome.params.placement}):`,
    );
    lines.push(...tableLines(HEADER, summaryRows(rows)).map((l) => `  ${l}`));
    const random = rows.filter((r) => r.routing !== 'home');
    const last = random.at(-1);
    if (random.length > 1)
      lines.push(
        `  ${last.processes}-process / ${random[0].processes}-process: CPU ${x(last.cpuRatio)}, Redis out bytes ${x(last.redisOutRatio)}, Redis in+out ${x(last.redisTotalRatio)}`,
      );
    const home = rows.find((r) => r.routing === 'home');
    if (home && random.length > 0)
      lines.push(`  ${home.processes}-process with no event crossing processes (control): CPU ${x(home.cpuRatio)}`);
  }
  for (const n of outcome.notes ?? []) lines.push(`  NOTE: ${n}`);
  return lines;
}

/** A markdown section for docs/benchmarks.md. */
export function clusterMarkdown(outcome, { command = 'node apps/bench/src/cluster.mjs', note = '' } = {}) {
  const P = outcome.params;
  const parts = [
    '## Cluster: cost per event from 1 to 4 processes',
    '',
    `${P.processes.join(', ')} gateway processes on one PostgreSQL database and one Redis; ${P.sockets.toLocaleString('en-US')} sockets ` +
      `spread evenly, a user's two devices ${P.placement === 'together' ? 'on the same process' : 'on different processes'}; a closed loop ` +
      `of ${P.events.toLocaleString('en-US')} user-targeted \`POST /api/events\` (${P.concurrency} in flight) to a process picked at random, ` +
      `after ${(P.warmupPerProcess ?? 0).toLocaleString('en-US')} per process to warm each one up. ` +
      (outcome.cpus
        ? `Every process runs on core ${outcome.cpus} (taskset). The control row sends each POST to the process that holds its ` +
          `user, so no event crosses processes: what it costs above 1 process is the processes taking turns on one core (on ` +
          `machines with a core per process it would not be paid); what the random row costs above it is the hop between processes. `
        : `The processes are not pinned. The control row sends each POST to the process that holds its user, so no event ` +
          `crosses processes; what the random row costs above it is the hop between processes. `) +
      `CPU is every process's (\`less idle\`: less what they use while nothing is published, measured before and after), ` +
      `Redis bytes are INFO stats deltas less a quiet baseline. \`${command}\`${note ? `; ${note}` : ''}.`,
  ];
  if (outcome.skipped) parts.push('', `Not measured: ${outcome.skipped}`);
  for (const [adapter, rows] of Object.entries(outcome.summary ?? {})) {
    parts.push('', `### ${adapter} adapter`, '', markdownTable(HEADER, summaryRows(rows)));
  }
  for (const n of outcome.notes ?? []) parts.push('', `Note: ${n}.`);
  return `${parts.join('\n')}\n`;
}
