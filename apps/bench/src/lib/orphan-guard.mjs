// Preloaded (`node --import`) into the server child by the benchmark: the bench holds the child's stdin
// open, so when the bench process goes away for any reason (even SIGKILL) the pipe closes and the server
// exits instead of surviving as an orphan. It adds nothing on the server's hot paths. Worker threads
// (the embedded store's) inherit the preload: they have no stdin of their own, and the main thread
// ending takes them along anyway.
import process from 'node:process';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
