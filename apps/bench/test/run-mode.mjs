// Runs a bench script (src/run.mjs, src/storm.mjs, src/cluster.mjs) at smoke size as a child process, for the tests.
import { spawn } from 'node:child_process';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';

/** Resolves `{ code, signal, out }` (stdout and stderr together); the child is killed after `timeoutMs`. */
export function runMode(script, env, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, '--smoke'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

/** Settings that say where things are, not what size they are: they pass through to the child. */
const KEPT = new Set(['BENCH_PG_ADMIN_URL', 'BENCH_REDIS_URL', 'BENCH_GATEWAY_MAIN']);

/** The caller's environment without the BENCH_ settings that would change the sizes under test. */
export const cleanEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BENCH_') || KEPT.has(k)));
