// CPU time of the workerd processes this benchmark started, read from /proc (Linux only; elsewhere
// every figure is null). CPU per request is steadier than req/s on a small or shared machine.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function stat(pid: number): { comm: string; ppid: number; cpuMs: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return {
      comm: text.slice(text.indexOf('(') + 1, close),
      ppid: Number(fields[1]),
      cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS,
    };
  } catch {
    return null;
  }
}

/** Pids of the workerd processes that are children of this process. */
export function workerdChildren(): Set<number> {
  const pids = new Set<number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s?.comm === 'workerd' && s.ppid === process.pid) pids.add(Number(entry));
  }
  return pids;
}

/** User + system CPU milliseconds of `pids` so far, or null when unknown. */
export function cpuMs(pids: ReadonlySet<number>): number | null {
  if (pids.size === 0) return null;
  let total = 0;
  for (const pid of pids) {
    const s = stat(pid);
    if (!s) return null;
    total += s.cpuMs;
  }
  return total;
}
