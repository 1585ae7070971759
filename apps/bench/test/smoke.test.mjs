// Runs the benchmark at smoke size as a child process: it checks that the harness works and that
// every delivery is right, on both servers and both stores; it never looks at how fast anything is.
// In CI (CI set) PostgreSQL must answer; elsewhere it is skipped, with the reason printed, when it does not.
import console from 'node:console';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { expect, it } from 'vitest';
import { postgresProblem } from '../src/lib/postgres.mjs';
import { runMode } from './run-mode.mjs';

const RUN = fileURLToPath(new URL('../src/run.mjs', import.meta.url));

it('the smoke bench runs both servers, checks every delivery and exits 0', async () => {
  const problem = await postgresProblem();
  const withPostgres = !problem || Boolean(process.env.CI);
  if (!withPostgres) console.log(`smoke bench: PostgreSQL skipped (${problem}); in CI it is required`);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('BENCH_') || k === 'BENCH_PG_ADMIN_URL'),
  );
  env.BENCH_STORES = withPostgres ? 'embedded,postgres' : 'embedded';
  const { code, signal, out } = await runMode(RUN, env, 100_000);
  if (code !== 0) console.log(out);
  expect(signal).toBeNull();
  expect(code).toBe(0);
  expect(out).toContain('SUMMARY: OK');
  expect(out).toMatch(/Embedded store \(a data directory, reopened\): mean of 1/);
  if (withPostgres) expect(out).toMatch(/PostgreSQL \(fresh database per gateway run\): mean of 1/);
}, 120_000);
