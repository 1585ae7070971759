// Runs the leaderboard storm at smoke size as a child process (embedded store, no service needed): the
// harness works, nothing is lost, duplicated or misrouted, and every socket ends with the final board.
// It never looks at how fast anything is.
import console from 'node:console';
import { fileURLToPath, URL } from 'node:url';
import { expect, it } from 'vitest';
import { cleanEnv, runMode } from './run-mode.mjs';

const STORM = fileURLToPath(new URL('../src/storm.mjs', import.meta.url));

it('the smoke storm ends with the final board on every socket and exits 0', async () => {
  const { code, signal, out } = await runMode(STORM, cleanEnv(), 170_000);
  if (code !== 0) console.log(out);
  expect(signal).toBeNull();
  expect(code).toBe(0);
  expect(out).toContain('SUMMARY: OK');
  expect(out).toMatch(/every socket ends with the final board: yes \(202 of 202,/);
  expect(out).toMatch(/unrelated delivery p99 \(ms\)\s+\S+\s+\S+\s+\S+x\s+<= 2x (PASS|MISS)/);
}, 180_000);
