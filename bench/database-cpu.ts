import { readFileSync } from 'node:fs';
import { processCpuSeconds } from './children.js';

/**
 * CPU of a database server's processes over a measured window, for stores whose work happens in another
 * process (PostgreSQL backends, a MySQL server). Generic: `pids()` names the processes that are this
 * run's (e.g. PostgreSQL's backends of the bench database); the meter samples them twice a second, so a
 * process that starts during the window counts from its start and one that exits keeps what it used up to
 * its last sample.
 */
export interface DatabaseCpuMeter {
  /** Starts a window (a previous one is discarded). */
  start(): Promise<void>;
  /** Ends the window and returns the CPU seconds used in it by the named processes. */
  stop(): Promise<number>;
}

export function databaseCpuMeter(pids: () => Promise<number[]>, intervalMs = 500): DatabaseCpuMeter {
  /** pid -> [CPU at first sight in the window (0 if it started after the window began), CPU last seen] */
  let seen = new Map<number, [number, number]>();
  let timer: NodeJS.Timeout | undefined;
  let first = true;
  const sample = async () => {
    for (const pid of await pids()) {
      const cpu = cpuOf(pid);
      if (cpu === undefined) continue;
      const known = seen.get(pid);
      if (known) known[1] = cpu;
      else seen.set(pid, [first ? cpu : startedInWindow(pid) ? 0 : cpu, cpu]);
    }
    first = false;
  };
  let windowStart = 0;
  const startedInWindow = (pid: number) => (processStartSeconds(pid) ?? 0) >= windowStart;
  return {
    async start() {
      clearInterval(timer);
      seen = new Map();
      first = true;
      windowStart = uptimeSeconds();
      await sample();
      timer = setInterval(() => void sample().catch(() => undefined), intervalMs);
    },
    async stop() {
      clearInterval(timer);
      await sample();
      let total = 0;
      for (const [from, last] of seen.values()) total += last - from;
      return total;
    },
  };
}

function cpuOf(pid: number): number | undefined {
  try {
    return processCpuSeconds(pid);
  } catch {
    return undefined; // exited between listing and reading
  }
}

/** Seconds since boot when the process started (field 22 of /proc/<pid>/stat, in clock ticks). */
function processStartSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]) / 100;
  } catch {
    return undefined;
  }
}

function uptimeSeconds(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
}
