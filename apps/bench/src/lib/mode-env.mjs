// What the stand-alone bench modes (storm.mjs, cluster.mjs) share: bounded environment parsing, "run
// when invoked directly", a throw-away embedded data directory and a fresh PostgreSQL database.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';
import { createDatabase, dropDatabase } from './postgres.mjs';

/** An integer from the environment, clamped to [min, max]; `def` when unset or not a number. */
export function intEnv(name, def, min, max) {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : def;
}

/** A comma-separated list from the environment, trimmed, empty items dropped; `def` when unset. */
export function listEnv(name, def) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return def;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** True when the module at `moduleUrl` is the script node was started with (not imported). */
export const isMain = (moduleUrl) => Boolean(process.argv[1]) && pathToFileURL(process.argv[1]).href === moduleUrl;

export const smokeFlag = () => process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';

/**
 * The store's part of a gateway's environment, and how to remove it afterwards: a fresh data directory
 * for the embedded store, a fresh database for PostgreSQL.
 */
export async function freshStore(store) {
  if (store === 'embedded') {
    const dir = mkdtempSync(join(os.tmpdir(), 'realtime-bench-'));
    const remove = () => rmSync(dir, { recursive: true, force: true });
    process.once('exit', remove);
    return { env: { DATA_DIR: join(dir, 'data') }, label: 'embedded store (fresh data directory)', dispose: remove };
  }
  if (store === 'postgres') {
    const db = await createDatabase();
    return {
      env: { DATABASE_URL: db.url },
      label: `PostgreSQL (fresh database ${db.name})`,
      dispose: () => dropDatabase(db.name),
    };
  }
  throw new Error(`unknown store ${store} (embedded, postgres)`);
}

/**
 * The end of a stand-alone mode: its results in apps/bench/results/<kind>-<date>.json, the SUMMARY
 * line (`okLine` when it passed, else its problems), and its exit code.
 */
export function finishMode(kind, doc, outcome, okLine, log = console.log) {
  const dir = fileURLToPath(new URL('../../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${kind}-${doc.date.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  log(`\nresults in ${file}`);
  if (outcome.ok) log(`SUMMARY: OK, ${okLine}`);
  else {
    log(`SUMMARY: FAILED (${outcome.problems.length} problem(s))`);
    for (const p of outcome.problems.slice(0, 30)) log(`  - ${p}`);
  }
  return outcome.ok ? 0 : 1;
}

/** Runs `main` when the module at `moduleUrl` is the script node was started with, exiting with its code. */
export function runWhenMain(moduleUrl, main) {
  if (!isMain(moduleUrl)) return;
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
