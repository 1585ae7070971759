// Keeps the server and the load generator off each other's cores with taskset: the server on the
// first core of this process's affinity list, the generator (this process, all its threads) on the
// others. Without taskset, or with a single core, everything runs unpinned and the report says so.
import { execFileSync } from 'node:child_process';
import process from 'node:process';

/** The CPUs this process may run on, from `taskset -pc`; null when taskset is missing. */
function affinity() {
  try {
    const out = execFileSync('taskset', ['-pc', String(process.pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const list = out.slice(out.lastIndexOf(':') + 1).trim();
    const cpus = [];
    for (const part of list.split(',')) {
      const [a, b] = part.split('-').map(Number);
      for (let c = a; c <= (b ?? a); c++) cpus.push(c);
    }
    return cpus;
  } catch {
    return null;
  }
}

/**
 * Decides and applies the placement. `serverCores` is how many cores the server gets (1, or the
 * largest WORKERS count); the generator needs at least one more.
 * Returns { pinned, serverCpus, generatorCpus, note }.
 */
export function pin({ serverCores = 1, disabled = false } = {}) {
  if (disabled) return { pinned: false, serverCpus: null, generatorCpus: null, note: 'unpinned (BENCH_NO_PIN set)' };
  const cpus = affinity();
  if (!cpus) return { pinned: false, serverCpus: null, generatorCpus: null, note: 'unpinned: taskset not found' };
  if (cpus.length < serverCores + 1) {
    return {
      pinned: false,
      serverCpus: null,
      generatorCpus: null,
      note: `unpinned: ${cpus.length} core(s) available, pinning needs ${serverCores + 1} (server and generator share them)`,
    };
  }
  const serverCpus = cpus.slice(0, serverCores).join(',');
  const generatorCpus = cpus.slice(serverCores).join(',');
  execFileSync('taskset', ['-a', '-pc', generatorCpus, String(process.pid)], { stdio: 'ignore' });
  return {
    pinned: true,
    serverCpus,
    generatorCpus,
    note: `server pinned to core ${serverCpus} (taskset -c ${serverCpus}), generator to core ${generatorCpus}`,
  };
}
