// Percentiles, means and the plain-text tables the benchmark prints.
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

export const round = (v, digits = 2) =>
  v === null || v === undefined || !Number.isFinite(v) ? (v ?? null) : Number(v.toFixed(digits));

/** Mean of the finite values; null when there are none. */
export function mean(values) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  return xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : null;
}

export const perSec = (n, ms) => (ms > 0 ? (n * 1000) / ms : null);

export const ms = (v) => (v === null || v === undefined ? '-' : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}`);

/** A number with a sensible precision for a table cell. */
export function num(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

/** "p50 1.2  p95 3.4  p99 5.6  max 7.8 ms" */
export function fmtLatency(s, keys = ['p50', 'p95', 'p99', 'max']) {
  if (!s || s.n === 0) return 'no samples';
  return `${keys.map((k) => `${k} ${ms(s[k]).padStart(6)}`).join('  ')}  ms  (n=${s.n})`;
}

export const mb = (bytes) => (bytes === null || bytes === undefined ? '-' : `${(bytes / 1048576).toFixed(1)} MB`);

/** A titled block of aligned `label  value` lines. */
export function printBlock(title, rows) {
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\n${title}`);
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
}

/** A table as lines: a header row, a rule, the rows; columns padded to their widest cell. */
export function tableLines(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c ?? '-')));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)];
}

export function printTable(title, header, rows) {
  console.log(`\n${title}`);
  for (const l of tableLines(header, rows)) console.log(`  ${l}`);
}

/** The same table in Markdown, padded the way Prettier pads it (first column left, others right). */
export function markdownTable(header, rows) {
  const all = [header, ...rows].map((r) =>
    r.map((c) =>
      String(c ?? '-')
        .trim()
        .replace(/\|/g, '\\|'),
    ),
  );
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(all[0]), rule, ...all.slice(1).map(line)].join('\n');
}
