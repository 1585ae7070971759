// The figures compared, their targets, and how they are shown: console tables, docs/benchmarks.md
// and a hand-rolled SVG chart. Targets are reported (PASS/MISS), never enforced by the exit code.
import { markdownTable, mean, num, round, tableLines } from './stats.mjs';

const MB = 1048576;

/** What each side is called in tables. */
export const SIDE_LABELS = {
  bare: 'bare',
  'bare-jose': 'bare (jose)',
  'empty-nest': 'empty Nest app',
  gateway: 'gateway',
};

/**
 * The compared figures. `better` says which way is good; `must`/`goal` are limits on the ratio
 * gateway / reference (the `reference` side, else the bare server checking tokens with node:crypto),
 * except where `absolute` gives limits on the gateway's own value for a store.
 */
export const FIGURES = [
  {
    key: 'handshakesPerSec',
    label: 'handshakes/s',
    unit: '/s',
    better: 'higher',
    must: 0.8,
    goal: 1.0,
    get: (r) => r.handshake?.handshakesPerSec,
  },
  {
    key: 'fanoutDeliveriesPerSec',
    label: 'fan-out deliveries/s',
    unit: '/s',
    better: 'higher',
    must: 0.8,
    goal: 1.0,
    get: (r) => r.fanout?.deliveriesPerSec,
  },
  {
    key: 'fanoutP99Ms',
    label: 'fan-out p99 POST -> last device',
    unit: 'ms',
    better: 'lower',
    must: 1.5,
    goal: 1.0,
    get: (r) => r.fanout?.latencyMs?.p99,
  },
  {
    key: 'cpuMsPerEvent',
    label: 'server CPU per published event',
    unit: 'ms',
    better: 'lower',
    must: 1.5,
    goal: 1.1,
    get: (r) => r.fanout?.serverCpuMsPerEvent,
  },
  {
    key: 'broadcastDeliveriesPerSec',
    label: 'broadcast deliveries/s',
    unit: '/s',
    better: 'higher',
    must: 0.9,
    goal: 1.0,
    get: (r) => r.broadcast?.deliveriesPerSec,
  },
  {
    key: 'rssPerConnectionKB',
    label: 'RSS per connection',
    unit: 'KB',
    better: 'lower',
    must: 1.5,
    goal: 1.0,
    get: (r) => (r.handshake?.rssPerConnectionBytes == null ? null : r.handshake.rssPerConnectionBytes / 1024),
    // RSS can fall while sockets connect (start-up garbage collected): then this says nothing.
    valid: (v) => v > 0,
    invalidNote: 'RSS fell while the sockets connected (start-up memory released); see the marginal figure',
  },
  {
    key: 'idleRssMB',
    label: 'idle RSS vs empty Nest app',
    unit: 'MB',
    better: 'lower',
    // The floor is Nest's own: an empty Nest + Fastify + Socket.IO app (apps/bench/empty-nest).
    reference: 'empty-nest',
    must: 1.15,
    goal: null,
    // The embedded store carries PostgreSQL (WebAssembly) in the process: judged on its own size.
    absolute: { embedded: { must: 250, goal: 150 } },
    get: (r) => (r.idleRssBytes == null ? null : r.idleRssBytes / MB),
  },
];

/** Reported alongside, without a target. */
export const INFO = [
  {
    key: 'handshakeP99Ms',
    label: 'handshake p99 connect -> unread_count',
    unit: 'ms',
    get: (r) => r.handshake?.latencyMs?.p99,
  },
  {
    key: 'cpuMsPerHandshake',
    label: 'server CPU per handshake',
    unit: 'ms',
    get: (r) => r.handshake?.serverCpuMsPerHandshake,
  },
  {
    key: 'handshakesPerSecWarm',
    label: 'handshakes/s, warm process (2nd wave)',
    unit: '/s',
    get: (r) => r.handshakeWarm?.handshakesPerSec,
  },
  {
    key: 'cpuMsPerHandshakeWarm',
    label: 'server CPU per handshake, warm process',
    unit: 'ms',
    get: (r) => r.handshakeWarm?.serverCpuMsPerHandshake,
  },
  {
    key: 'rssPerConnectionMarginalKB',
    label: 'RSS per connection, second 1000 sockets',
    unit: 'KB',
    get: (r) =>
      r.handshake?.rssPerConnectionMarginalBytes == null ? null : r.handshake.rssPerConnectionMarginalBytes / 1024,
  },
  { key: 'fanoutP50Ms', label: 'fan-out p50 POST -> last device', unit: 'ms', get: (r) => r.fanout?.latencyMs?.p50 },
  {
    key: 'fanoutFirstDeliveriesPerSec',
    label: 'fan-out deliveries/s, first events',
    unit: '/s',
    get: (r) => r.fanoutFirst?.deliveriesPerSec,
  },
  {
    key: 'cpuMsPerEventFirst',
    label: 'server CPU per published event, first events',
    unit: 'ms',
    get: (r) => r.fanoutFirst?.serverCpuMsPerEvent,
  },
  {
    key: 'broadcastAllP50Ms',
    label: 'broadcast p50 POST -> last socket',
    unit: 'ms',
    get: (r) => r.broadcast?.allSocketsMs?.p50,
  },
  {
    key: 'cpuUsPerBroadcastDelivery',
    label: 'server CPU per broadcast delivery',
    unit: 'µs',
    get: (r) => r.broadcast?.serverCpuUsPerDelivery,
  },
  { key: 'startupMs', label: 'start-up to /ready', unit: 'ms', get: (r) => r.startupMs },
  { key: 'rssAfterReady', label: 'RSS 1 s after /ready', unit: 'MB', get: (r) => r.rssAfterReadyBytes / 2 ** 20 },
];

const fmtVal = (v, unit) => (v == null ? '-' : `${num(v)}${!unit || unit === '/s' ? '' : ` ${unit}`}`);
const fmtRatio = (r) => (r == null || !Number.isFinite(r) ? '-' : `${r.toFixed(2)}x`);
const cmp = (better) => (better === 'higher' ? '>=' : '<=');

const valuesOf = (fig, runs, side) => runs.filter((r) => r.side === side && !r.error).map((r) => fig.get(r) ?? null);

/** Mean per side and ratio, per-run values, limits and verdict of one figure on one store. */
export function judge(fig, store, runs) {
  const reference = fig.reference ?? 'bare';
  const baselineRuns = valuesOf(fig, runs, reference);
  const gwRuns = valuesOf(fig, runs, 'gateway');
  const baseline = mean(baselineRuns);
  const gateway = mean(gwRuns);
  const ratio = baseline != null && gateway != null && baseline !== 0 ? gateway / baseline : null;
  const abs = fig.absolute?.[store];
  let must;
  let goal;
  let judged;
  if (abs) {
    must = abs.must;
    goal = abs.goal;
    judged = gateway;
  } else {
    must = fig.must;
    goal = fig.goal;
    judged = ratio;
  }
  const ok = (limit) =>
    limit == null || judged == null ? null : fig.better === 'higher' ? judged >= limit : judged <= limit;
  const invalid = fig.valid && [...baselineRuns, ...gwRuns].some((v) => v != null && !fig.valid(v));
  const mustOk = invalid ? null : ok(must);
  const goalOk = goal == null ? mustOk : ok(goal);
  const verdict = mustOk == null ? 'n/a' : !mustOk ? 'MISS' : goalOk ? 'PASS (goal)' : 'PASS (must)';
  // Per-run ratios, pairing the i-th gateway run with the i-th run of the reference side.
  const pairs = gwRuns.map((g, i) => (g != null && baselineRuns[i] ? g / baselineRuns[i] : null));
  return {
    key: fig.key,
    label: fig.label,
    unit: fig.unit,
    better: fig.better,
    reference,
    baseline: round(baseline, 4),
    gateway: round(gateway, 4),
    ratio: round(ratio, 4),
    baselineRuns: baselineRuns.map((v) => round(v, 4)),
    gatewayRuns: gwRuns.map((v) => round(v, 4)),
    runRatios: pairs.map((v) => round(v, 4)),
    basis: abs ? 'absolute' : 'ratio',
    note: invalid ? fig.invalidNote : undefined,
    must,
    goal,
    verdict,
  };
}

export function info(fig, runs) {
  const bare = mean(runs.filter((r) => r.side === 'bare' && !r.error).map((r) => fig.get(r) ?? null));
  const gateway = mean(runs.filter((r) => r.side === 'gateway' && !r.error).map((r) => fig.get(r) ?? null));
  return {
    key: fig.key,
    label: fig.label,
    unit: fig.unit,
    bare: round(bare, 4),
    gateway: round(gateway, 4),
    ratio: bare && gateway != null ? round(gateway / bare, 4) : null,
  };
}

const limitText = (j, which) => {
  const limit = j[which];
  if (limit == null) return '-';
  return j.basis === 'absolute'
    ? `${cmp(j.better)} ${limit} ${j.unit}`
    : `${cmp(j.better)} ${limit.toFixed(limit * 10 === Math.round(limit * 10) ? 1 : 2)}x`;
};

/** Rows of the comparison table: figure | baseline | gateway | ratio | must | goal | verdict. */
export function comparisonRows(judged) {
  return judged.map((j) => [
    `${j.label}${j.unit === '/s' ? '' : ` (${j.unit})`}`,
    fmtVal(j.baseline, j.unit === '/s' ? '/s' : ''),
    fmtVal(j.gateway, j.unit === '/s' ? '/s' : ''),
    fmtRatio(j.ratio),
    limitText(j, 'must'),
    limitText(j, 'goal'),
    j.verdict,
  ]);
}

export const COMPARISON_HEADER = ['figure', 'baseline', 'gateway', 'ratio', 'must', 'goal', 'verdict'];
/** Said under the comparison table: what its baseline column is. */
export const COMPARISON_NOTE =
  'baseline: the bare server checking each token with node:crypto HMAC, uncached; for idle RSS the empty Nest + Fastify + Socket.IO app';

/** The figures also compared against the bare server checking tokens through jose (WebCrypto). */
const BASELINE_KEYS = [
  'handshakesPerSec',
  'fanoutDeliveriesPerSec',
  'fanoutP99Ms',
  'cpuMsPerEvent',
  'broadcastDeliveriesPerSec',
];

export const BASELINES_HEADER = ['figure', 'bare', 'bare (jose)', 'gateway', 'ratio vs bare', 'ratio vs bare (jose)'];

/**
 * The gateway against both baselines: the careful one (node:crypto HMAC per request) that the
 * targets judge, and the jose one the bench used to compare against. Empty without jose runs.
 */
export function baselineRows(runs) {
  if (!runs.some((r) => r.side === 'bare-jose' && !r.error)) return [];
  const figs = [
    ...BASELINE_KEYS.map((k) => FIGURES.find((f) => f.key === k)),
    INFO.find((f) => f.key === 'cpuMsPerHandshake'),
  ];
  return figs.map((fig) => {
    const [bare, jose, gateway] = ['bare', 'bare-jose', 'gateway'].map((side) => mean(valuesOf(fig, runs, side)));
    const unit = fig.unit === '/s' ? '/s' : '';
    const ratio = (b) => (b && gateway != null ? gateway / b : null);
    return [
      `${fig.label}${fig.unit === '/s' ? '' : ` (${fig.unit})`}`,
      fmtVal(bare, unit),
      fmtVal(jose, unit),
      fmtVal(gateway, unit),
      fmtRatio(ratio(bare)),
      fmtRatio(ratio(jose)),
    ];
  });
}

/** The same figures against the jose baseline, for the results JSON. */
export function joseComparison(runs) {
  return BASELINE_KEYS.map((k) => judge({ ...FIGURES.find((f) => f.key === k), reference: 'bare-jose' }, 'jose', runs));
}

/** Idle memory of every side that ran: RSS 1 s after /ready and at the idle settle time. */
export function idleRows(runs) {
  const inMb = (bytes) => fmtVal(bytes == null ? null : bytes / MB, '');
  return Object.entries(SIDE_LABELS)
    .map(([side, label]) => [label, runs.filter((r) => r.side === side && !r.error)])
    .filter(([, ok]) => ok.length > 0)
    .map(([label, ok]) => [
      label,
      inMb(mean(ok.map((r) => r.rssAfterReadyBytes ?? null))),
      inMb(mean(ok.map((r) => r.idleRssBytes ?? null))),
      ok.map((r) => inMb(r.idleRssBytes)).join(' / '),
    ]);
}

/** @param {number} settleMs the idle settle time, the same for every side */
export const idleHeader = (settleMs) => [
  'idle RSS (MB)',
  `${Math.min(1000, settleMs) / 1000} s after /ready`,
  `${settleMs / 1000} s after /ready`,
  'per run',
];
export const INFO_HEADER = ['also measured (no target)', 'bare', 'gateway', 'ratio'];

export function infoRows(infos) {
  return infos.map((i) => [`${i.label} (${i.unit})`, fmtVal(i.bare, ''), fmtVal(i.gateway, ''), fmtRatio(i.ratio)]);
}

export const GATEWAY_ONLY_HEADER = ['gateway only', 'value'];

export function gatewayOnlyRows(runs) {
  const gw = runs.filter((r) => r.side === 'gateway' && !r.error);
  const m = (f) => mean(gw.map((r) => f(r) ?? null));
  return [
    ['POST /api/notifications req/s', num(m((r) => r.notifications?.requestsPerSec))],
    [
      '  POST -> 201 p50 / p99 (ms)',
      `${num(m((r) => r.notifications?.httpMs?.p50))} / ${num(m((r) => r.notifications?.httpMs?.p99))}`,
    ],
    [
      '  POST -> all devices p50 / p99 (ms)',
      `${num(m((r) => r.notifications?.allDevicesMs?.p50))} / ${num(m((r) => r.notifications?.allDevicesMs?.p99))}`,
    ],
    ['  server CPU per notification (ms)', num(m((r) => r.notifications?.serverCpuMsPerNotification))],
    ['notification:mark_read acks/s', num(m((r) => r.markRead?.opsPerSec))],
    [
      '  emit -> ack p50 / p99 (ms)',
      `${num(m((r) => r.markRead?.ackMs?.p50))} / ${num(m((r) => r.markRead?.ackMs?.p99))}`,
    ],
    [
      '  emit -> other device read p50 / p99 (ms)',
      `${num(m((r) => r.markRead?.otherDeviceMs?.p50))} / ${num(m((r) => r.markRead?.otherDeviceMs?.p99))}`,
    ],
    [
      'fan-out while one socket floods: p50 / p99 POST -> last device (ms)',
      `${num(m((r) => r.underFlood?.calm?.latencyMs?.p50))} / ${num(m((r) => r.underFlood?.calm?.latencyMs?.p99))}`,
    ],
    [
      '  the same without the flood (scenario 2), p50 / p99 (ms)',
      `${num(m((r) => r.fanout?.latencyMs?.p50))} / ${num(m((r) => r.fanout?.latencyMs?.p99))}`,
    ],
    [
      '  flood: events sent / flooding sockets cut off',
      `${num(m((r) => r.underFlood?.floodEvents))} / ${num(m((r) => r.underFlood?.flooderCutOff))}`,
    ],
    ['Web Push sends/s (one process, local receiver)', num(m((r) => r.push?.pushesPerSec))],
    [
      '  publish -> push p50 / p99 (ms)',
      `${num(m((r) => r.push?.delayMs?.p50))} / ${num(m((r) => r.push?.delayMs?.p99))}`,
    ],
    ['  server CPU per push (ms)', num(m((r) => r.push?.serverCpuMsPerPush))],
  ];
}

/**
 * Who was busy per phase (max over runs): server and generator CPU in cores (from their own
 * accounting), and how busy the generator's core was (everything on it, interrupts included).
 */
export function generatorRows(runs, generatorCpus) {
  /** @type {Array<[string, (r: any) => any]>} */
  const phases = [
    ['handshake', (r) => r.handshake?.resources],
    ['fan-out', (r) => r.fanout?.resources],
    ['broadcast burst', (r) => r.broadcast?.resources],
    ['web push (gateway only)', (r) => r.push?.resources],
  ];
  const genCores = generatorCpus ? String(generatorCpus).split(',') : null;
  const busy = (res) => (genCores && res?.coreBusy ? Math.max(...genCores.map((c) => res.coreBusy[c] ?? 0)) : null);
  return phases.map(([label, f]) => {
    const peak = (side, get) => {
      const xs = runs
        .filter((r) => r.side === side && !r.error)
        .map((r) => get(f(r)) ?? null)
        .filter((v) => v != null);
      return xs.length ? Math.max(...xs) : null;
    };
    const cell = (side) =>
      `${num(peak(side, (x) => x?.serverCores))} / ${num(peak(side, (x) => x?.generatorCores))} / ${
        genCores ? `${Math.round((peak(side, busy) ?? 0) * 100)}%` : '-'
      }`;
    return [label, cell('bare'), cell('gateway')];
  });
}
export const GENERATOR_HEADER = [
  'CPU per phase (max of runs)',
  'bare: server / generator cores / generator core busy',
  'gateway: same',
];

/** Other work on the server's cores above this share of them makes a phase's figures suspect. */
export const OTHER_WORK_LIMIT = 0.1;

/**
 * Phases in which the generator's core was saturated while the server's was not, and phases in which
 * other work (the machine's other services, interrupts) took a share of the server's own cores.
 */
export function placementWarnings(runs, { generatorCpus, serverCpus }) {
  if (!generatorCpus || !serverCpus) return [];
  const gen = String(generatorCpus).split(',');
  const srv = String(serverCpus).split(',');
  const out = [];
  for (const r of runs) {
    for (const phase of ['handshake', 'fanout', 'broadcast', 'push']) {
      const res = r[phase]?.resources;
      if (!res?.coreBusy) continue;
      // The generator's core saturated (by it, its network interrupts or other work on the machine)
      // while the server used clearly less than its cores: the server was waiting for the generator.
      const g = Math.min(...gen.map((c) => res.coreBusy[c] ?? 0));
      // The server's cores were busy with more than the server: it was preempted and shared their
      // caches, which costs it throughput and inflates its CPU per operation.
      const others = srv.reduce((sum, c) => sum + (res.coreBusy[c] ?? 0), 0) - (res.serverCores ?? 0);
      if (res.serverCores != null && others > OTHER_WORK_LIMIT * srv.length) {
        out.push(
          `other work on the server's core: ${r.store} r${r.round} ${r.side} ${phase}: other work took ${Math.round((others / srv.length) * 100)}% ` +
            `of the server's core(s) (the server itself ${Math.round((res.serverCores / srv.length) * 100)}%)`,
        );
      }
      if (g >= 0.95 && res.serverCores != null && res.serverCores < 0.85 * srv.length) {
        out.push(
          `the generator may have been the bottleneck: ${r.store} r${r.round} ${r.side} ${phase}: generator core ${Math.round(g * 100)}% busy ` +
            `(${Math.round(((res.generatorCores ?? 0) / gen.length) * 100)}% by the generator itself, the rest other work ` +
            `on the machine or interrupts), server process at ${Math.round((res.serverCores / srv.length) * 100)}% of its core(s)`,
        );
      }
    }
  }
  return out;
}

export const textTable = (header, rows) => tableLines(header, rows).map((l) => `  ${l}`);
export { markdownTable };

// ---- SVG ----------------------------------------------------------------------------------------

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Where a judged figure sits on a "right is better" axis: the gateway relative to bare (gateway/bare
 * for higher-is-better figures, bare/gateway for lower-is-better ones), with its must and goal marks
 * on the same scale; for an absolute limit, the goal over the value.
 */
function position(j) {
  if (j.basis === 'absolute') {
    const s = (v) => (v ? j.goal / v : null);
    return { score: s(j.gateway), must: s(j.must), goal: 1, runs: j.gatewayRuns.map(s) };
  }
  const s = (r) => (r == null || r <= 0 ? null : j.better === 'higher' ? r : 1 / r);
  return { score: s(j.ratio), must: s(j.must), goal: j.goal == null ? null : s(j.goal), runs: j.runRatios.map(s) };
}

/** One row per figure per store: a bar (green: goal met, amber: must met, red: missed), must and goal marks. */
export function renderSvg({ title, subtitle, sections }) {
  const W = 1120;
  const labelW = 300;
  const x0 = labelW + 10;
  const plotW = 420;
  const maxScore = 2;
  const X = (s) => x0 + (Math.max(0, Math.min(maxScore, s)) / maxScore) * plotW;
  const rowH = 30;
  const out = [];
  let y = 0;
  const text = (x, yy, s, attrs = '') => out.push(`<text x="${x}" y="${yy}" ${attrs}>${esc(s)}</text>`);

  y += 28;
  text(16, y, title, 'font-size="18" font-weight="600"');
  y += 20;
  text(16, y, subtitle, 'font-size="12" fill="#555"');
  y += 16;
  text(
    16,
    y,
    'Bar: gateway relative to bare, right is better (1.0 = parity; lower-is-better figures are drawn as bare/gateway).',
    'font-size="12" fill="#555"',
  );
  y += 16;
  text(
    16,
    y,
    'Ticks: must (dashed) and goal (solid); dots: the individual alternating runs. Text: ratio gateway/bare.',
    'font-size="12" fill="#555"',
  );
  y += 14;
  // legend
  const legend = [
    ['#2e7d32', 'goal met'],
    ['#f9a825', 'must met, goal missed'],
    ['#c62828', 'must missed'],
  ];
  let lx = 16;
  y += 12;
  for (const [color, label] of legend) {
    out.push(`<rect x="${lx}" y="${y - 10}" width="14" height="12" fill="${color}" rx="2"/>`);
    text(lx + 20, y, label, 'font-size="12"');
    lx += 30 + label.length * 7;
  }
  y += 16;

  for (const sec of sections) {
    y += 22;
    text(16, y, sec.title, 'font-size="15" font-weight="600"');
    y += 8;
    const top = y;
    const height = sec.rows.length * rowH;
    // axis: gridlines at 0, 0.5, 1, 1.5, 2
    for (const g of [0, 0.5, 1, 1.5, 2]) {
      const gx = X(g);
      out.push(
        `<line x1="${gx}" y1="${top}" x2="${gx}" y2="${top + height}" stroke="${g === 1 ? '#888' : '#e3e3e3'}" stroke-width="${g === 1 ? 1.5 : 1}"/>`,
      );
      text(
        gx,
        top + height + 13,
        g === 1 ? '1.0 parity' : g.toFixed(1),
        'font-size="10" fill="#777" text-anchor="middle"',
      );
    }
    sec.rows.forEach((j, i) => {
      const yy = top + i * rowH;
      const mid = yy + rowH / 2;
      if (i % 2 === 0)
        out.push(`<rect x="8" y="${yy}" width="${W - 16}" height="${rowH}" fill="#f7f7f7" opacity="0.6"/>`);
      text(16, mid + 4, `${j.label}${j.unit === '/s' ? '' : ` (${j.unit})`}`, 'font-size="13"');
      const p = position(j);
      const color =
        j.verdict === 'PASS (goal)'
          ? '#2e7d32'
          : j.verdict === 'PASS (must)'
            ? '#f9a825'
            : j.verdict === 'MISS'
              ? '#c62828'
              : '#9e9e9e';
      if (p.score != null) {
        out.push(
          `<rect x="${x0}" y="${mid - 7}" width="${Math.max(1, X(p.score) - x0)}" height="14" fill="${color}" rx="2"/>`,
        );
        if (p.score > maxScore) text(X(maxScore) + 3, mid + 4, '»', 'font-size="13" fill="#333"');
      }
      for (const r of p.runs) {
        if (r != null)
          out.push(`<circle cx="${X(r)}" cy="${mid}" r="2.6" fill="#fff" stroke="#222" stroke-width="1"/>`);
      }
      if (p.must != null) {
        out.push(
          `<line x1="${X(p.must)}" y1="${mid - 11}" x2="${X(p.must)}" y2="${mid + 11}" stroke="#111" stroke-width="2" stroke-dasharray="3,2"/>`,
        );
      }
      if (p.goal != null) {
        out.push(
          `<line x1="${X(p.goal)}" y1="${mid - 11}" x2="${X(p.goal)}" y2="${mid + 11}" stroke="#111" stroke-width="2"/>`,
        );
      }
      const detail =
        j.basis === 'absolute'
          ? `gateway ${fmtVal(j.gateway, j.unit)} (must ${cmp(j.better)} ${j.must}, goal ${cmp(j.better)} ${j.goal})  ${j.verdict}`
          : j.note
            ? 'n/a: RSS fell while the sockets connected'
            : `${fmtRatio(j.ratio)}  (${SIDE_LABELS[j.reference] ?? j.reference} ${fmtVal(j.baseline, j.unit)}, gateway ${fmtVal(j.gateway, j.unit)})  ${j.verdict}`;
      const fill = j.verdict === 'MISS' ? '#c62828' : j.verdict === 'n/a' ? '#777' : '#222';
      text(x0 + plotW + 14, mid + 4, detail, `font-size="12" fill="${fill}"`);
    });
    y = top + height + 18;
  }
  y += 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif">`,
    `<rect width="${W}" height="${y}" fill="#fff"/>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
