// How the storm's results read: the text the bench prints and the markdown section for
// docs/benchmarks.md, both from the plain result objects of ../storm.mjs.
import { markdownTable, num, round, tableLines } from './stats.mjs';

/** The issue's target: the unrelated user's p99 during the storm within 2x of the quiet one. */
export const STORM_P99_TARGET = 2;

const pct = (v) => (v === null || v === undefined ? '-' : `${Math.round(v * 100)} %`);
const x = (v) => (v === null || v === undefined ? '-' : `${v.toFixed(2)}x`);
const verdict = (v) => (v === null || v === undefined ? '-' : v <= STORM_P99_TARGET ? 'PASS' : 'MISS');

/** The run's figures as table rows: [figure, quiet, storm, storm/quiet, target]. */
function stormRows(r) {
  return [
    [
      'unrelated delivery p50 (ms)',
      num(r.quiet.deliveryMs.p50),
      num(r.storm.deliveryMs.p50),
      x(r.ratios.deliveryP50),
      '',
    ],
    [
      'unrelated delivery p99 (ms)',
      num(r.quiet.deliveryMs.p99),
      num(r.storm.deliveryMs.p99),
      x(r.ratios.deliveryP99),
      `<= ${STORM_P99_TARGET}x ${verdict(r.ratios.deliveryP99)}`,
    ],
    ['GET /health p99 (ms)', num(r.quiet.healthMs.p99), num(r.storm.healthMs.p99), x(r.ratios.healthP99), ''],
    ['server CPU (share of one core)', pct(r.quietResources.serverCores), pct(r.stormResources.serverCores), '', ''],
    ['generator CPU (cores)', num(r.quietResources.generatorCores), num(r.stormResources.generatorCores), '', ''],
  ];
}

const HEADER = ['', 'quiet', 'storm', 'storm / quiet', 'target'];

function boardLine(r) {
  const b = r.boardsPerSocketPerSec;
  return (
    `boards per socket per second during the storm: mean ${num(b.mean)}, min ${num(b.min)}, max ${num(b.max)} ` +
    `(one per 250 ms window would be 4); every socket ends with the final board: ` +
    `${r.finalBoard.socketsWithFinal === r.finalBoard.socketsChecked ? 'yes' : 'NO'} ` +
    `(${r.finalBoard.socketsWithFinal} of ${r.finalBoard.socketsChecked}, settled ${r.settleMs} ms after the storm)`
  );
}

/** How many requests the server refused while overloaded (503), by phase. */
function statusLine(r) {
  const n = (counts) => counts?.['503'] ?? 0;
  const of = (counts) => Object.values(counts ?? {}).reduce((s, v) => s + v, 0);
  return (
    `answered 503 (overloaded): unrelated POST /api/events quiet ${n(r.quiet.eventStatuses)} of ${of(r.quiet.eventStatuses)}, ` +
    `storm ${n(r.storm.eventStatuses)} of ${of(r.storm.eventStatuses)}; GET /health quiet ${n(r.quiet.healthStatuses)} of ` +
    `${of(r.quiet.healthStatuses)}, storm ${n(r.storm.healthStatuses)} of ${of(r.storm.healthStatuses)}; the awards' POST /api/xp ` +
    `${n(r.awards.statuses)} of ${r.awards.sent}`
  );
}

/** Plain-text lines of one run, as the bench prints them. */
export function stormLines(r) {
  if (r.skipped) return [`  skipped: ${r.skipped}`];
  if (r.error) return [`  FAILED: ${r.error}`];
  const a = r.awards;
  const lines = [
    `  ${r.storeLabel}; ${r.connected} sockets + the probe's 2, ready in ${r.startupMs} ms; /health 200 again ${r.calmMs} ms after the handshakes`,
    ...tableLines(HEADER, stormRows(r)).map((l) => `  ${l}`),
    `  ${boardLine(r)}`,
    `  awards: ${a.sent} in ${num(a.wallMs / 1000)} s, statuses ${JSON.stringify(a.statuses)}, POST /api/xp p50 ${num(a.httpMs.p50)} p99 ${num(a.httpMs.p99)} ms`,
    `  probe samples: quiet ${r.quiet.deliveryMs.n} deliveries / ${r.quiet.healthMs.n} health, storm ${r.storm.deliveryMs.n} / ${r.storm.healthMs.n}; ${priorityLine(r)}`,
    `  ${statusLine(r)}`,
  ];
  const gen = r.stormResources.generatorCores;
  const busy = Object.values(r.stormResources.coreBusy ?? {});
  if (gen !== null && gen > 0.9)
    lines.push(
      `  WARNING: the generator used ${num(gen)} cores during the storm and may have been a bottleneck (core busy ${busy.join(', ')})`,
    );
  for (const p of r.problems) lines.push(`  PROBLEM: ${p}`);
  return lines;
}

/** Whether the probe's thread ran ahead of the generator's (storm-probe.mjs raisePriority). */
function priorityLine(r) {
  const p = r.probePriority;
  if (!p) return 'probe priority not reported';
  return p.raised
    ? `probe thread at nice ${p.nice} (the generator's ${p.before})`
    : `probe thread at the generator's priority (${p.reason}): its samples may include the generator's delays`;
}

/** A markdown section for docs/benchmarks.md. */
export function stormMarkdown(outcome, { command = 'node apps/bench/src/storm.mjs', note = '' } = {}) {
  const parts = [
    '## Leaderboard storm',
    '',
    `${outcome.params.sockets.toLocaleString('en-US')} sockets on one gateway process; XP awarded at ${outcome.params.awardsPerSec}/s for ` +
      `${outcome.params.stormMs / 1000} s to users already in the top 10, so the global board changes on nearly every award and goes ` +
      `to every socket. An unrelated user's \`POST /api/events\` (${outcome.params.probeEventsPerSec}/s, POST until both of its sockets ` +
      `have the event) and \`GET /health\` (${outcome.params.healthPerSec}/s) are measured in a quiet phase of ` +
      `${round(outcome.params.quietMs / 1000, 1)} s and during the storm. \`${command}\`${note ? `; ${note}` : ''}.`,
  ];
  for (const r of outcome.runs) {
    parts.push('', `### ${r.storeLabel ?? r.store}`, '');
    if (r.skipped || r.error) {
      parts.push(`Not measured: ${r.skipped ?? r.error}`);
      continue;
    }
    const boards = boardLine(r);
    parts.push(
      markdownTable(HEADER, stormRows(r)),
      '',
      `${boards[0].toUpperCase()}${boards.slice(1)}.`,
      '',
      `Requests ${statusLine(r)}. The probe: ${priorityLine(r)}.`,
    );
  }
  return `${parts.join('\n')}\n`;
}
