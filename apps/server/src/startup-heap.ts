import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Start-up allocates mostly objects that live on (modules, the dependency graph), and V8 answers by
 * growing the young generation, which then stays committed: ~25 MB of an idle server's memory. It
 * may not grow while the server starts, and grows as usual once it serves.
 *
 * Set when this module is evaluated: main.ts imports it before anything else, since its other
 * imports (the configuration's schemas) already allocate.
 */
function youngGenerationGrowth(allowed: boolean): void {
  setFlagsFromString(`--semi-space-growth-factor=${allowed ? 2 : 1}`);
}

youngGenerationGrowth(false);

/**
 * The process is serving: back to V8's usual heap sizing, and what start-up left behind collected.
 * Most of that is the embedded store's: creating a database runs PostgreSQL's initdb in a second
 * WebAssembly instance, ~300 MB that V8 would otherwise keep until some major collection tens of
 * seconds later.
 */
export function started(): void {
  youngGenerationGrowth(true);
  setFlagsFromString('--expose-gc');
  setTimeout(runInNewContext('gc') as () => void, 0).unref();
}
