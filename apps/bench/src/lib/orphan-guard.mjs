// Preloaded (`node --import`) into the server child by the benchmark: the bench holds the child's stdin
// open, so when the bench process goes away for any reason (even SIGKILL) the pipe closes and the server
// exits instead of surviving as an orphan. It adds nothing on the server's hot paths.
import process from 'node:process';

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
