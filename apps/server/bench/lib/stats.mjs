// Percentiles and the plain-text tables the benchmark prints.
import console from 'node:console';

/** p50/p95/p99/max/mean of latencies in ms, rounded to 0.01 ms. */
export function summarize(values) {
  if (values.length === 0) return { n: 0, p50: null, p95: null, p99: null, max: null, mean: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return {
    n: sorted.length,
    p50: round(at(50)),
    p95: round(at(95)),
    p99: round(at(99)),
    max: round(sorted.at(-1)),
    mean: round(mean),
  };
}

export const round = (v, digits = 2) => (v === null || v === undefined ? v : Number(v.toFixed(digits)));

export const ms = (v) => (v === null || v === undefined ? '-' : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}`);

/** "p50 1.2  p95 3.4  p99 5.6  max 7.8 ms" */
export function fmtLatency(s, keys = ['p50', 'p95', 'p99', 'max']) {
  if (!s || s.n === 0) return 'no samples';
  return `${keys.map((k) => `${k} ${ms(s[k]).padStart(6)}`).join('  ')}  ms  (n=${s.n})`;
}

export function fmtRate(v, unit) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return `${v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1)} ${unit}`;
}

export const mb = (bytes) => (bytes === null || bytes === undefined ? '-' : `${(bytes / 1048576).toFixed(0)} MB`);

/** A titled block of aligned `label  value` lines. */
export function printBlock(title, rows) {
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\n${title}`);
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
}

/** A table with a header row; columns padded to their widest cell. */
export function printTable(title, header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c ?? '-')));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${title}`);
  console.log(`  ${line(all[0])}`);
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of all.slice(1)) console.log(`  ${line(r)}`);
}
