// Server CPU and memory read from /proc, for a process and all its descendants (a cluster primary
// and its workers): CPU is utime+stime of every thread (/proc/<pid>/stat) plus what reaped children
// left (cutime+cstime); memory is VmRSS (/proc/<pid>/status), summed over the tree (shared pages
// are counted once per process, so a tree's sum overstates it a little).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // getconf missing: Linux's USER_HZ is 100 nearly everywhere
}
export const CLK_TCK = clockTicks;

/** Fields of /proc/<pid>/stat we use; null when the process is gone. */
export function readStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): field k is f[k - 3].
  return {
    ppid: Number(f[1]),
    utime: Number(f[11]),
    stime: Number(f[12]),
    cutime: Number(f[13]),
    cstime: Number(f[14]),
  };
}

/** `pid` and every live descendant of it. */
export function processTree(pid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(name);
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(Number(name));
    children.set(st.ppid, list);
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

function rssBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user+system, all threads, reaped children included), RSS bytes and process count of the tree. */
export function sampleTree(pid) {
  const pids = processTree(pid);
  let ticks = 0;
  let rss = 0;
  let alive = 0;
  for (const p of pids) {
    const st = readStat(p);
    if (!st) continue;
    alive++;
    ticks += st.utime + st.stime + st.cutime + st.cstime;
    rss += rssBytes(p);
  }
  return { cpuSeconds: ticks / CLK_TCK, rssBytes: rss, processes: alive };
}

/** Per-core jiffies from /proc/stat: { cpuN: { busy, total } } (busy counts irq, softirq and steal too). */
export function coreTimes() {
  const out = {};
  let text;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = m[2].split(/\s+/).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    out[m[1]] = { busy, total: busy + idle + iowait };
  }
  return out;
}

/** Busy fraction of each core between two `coreTimes()` samples. */
export function coreBusy(a, b) {
  const out = {};
  for (const [k, v] of Object.entries(b)) {
    const u = a[k];
    if (!u) continue;
    const total = v.total - u.total;
    out[k] = total > 0 ? Math.round(((v.busy - u.busy) / total) * 100) / 100 : null;
  }
  return out;
}
