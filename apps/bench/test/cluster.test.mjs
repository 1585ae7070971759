// Runs the cluster bench at smoke size (1 and 2 processes, and the control run of 2 with each POST sent to
// its user's process) as a child process: every event reaches its user's sockets once on whichever
// process they are, and the per-event table comes out. It needs PostgreSQL and Redis: in CI (CI set)
// both must answer; elsewhere it is skipped, saying why, when one does not.
import console from 'node:console';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { expect, it } from 'vitest';
import { postgresProblem } from '../src/lib/postgres.mjs';
import { redisProblem } from '../src/lib/redis-stats.mjs';
import { cleanEnv, runMode } from './run-mode.mjs';

const CLUSTER = fileURLToPath(new URL('../src/cluster.mjs', import.meta.url));
const REDIS_URL = process.env.BENCH_REDIS_URL;
const missing = [await postgresProblem(), await redisProblem(REDIS_URL)].filter(Boolean);
const skip = missing.length > 0 && !process.env.CI;
if (skip) console.log(`cluster bench test skipped: ${missing.join('; ')} (in CI both are required)`);

it.skipIf(skip)(
  'the smoke cluster bench checks every delivery on 1 and 2 processes and exits 0',
  async () => {
    const { code, signal, out } = await runMode(CLUSTER, cleanEnv(), 170_000);
    if (code !== 0) console.log(out);
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(out).toContain('SUMMARY: OK');
    expect(out).toMatch(/classic adapter \(40 sockets, devices of a user together\):/);
    expect(out).toMatch(/2-process \/ 1-process: CPU \S+x, Redis out bytes \S+x/);
    // The control run: 2 processes again, each POST sent to the process that holds its user.
    expect(out).toMatch(/2 \(each POST to its user's process\).*control/);
    expect(out).toMatch(/2-process with no event crossing processes \(control\): CPU \S+x/);
    // Each run's line says how many POSTs went to another process than their user's: none in the control.
    const crossed = [...out.matchAll(/POSTs per process \S+ \((\d+) to another process/g)].map((m) => Number(m[1]));
    expect(crossed.at(-1)).toBe(0);
    expect(crossed.some((n) => n > 0)).toBe(true);
  },
  180_000,
);
