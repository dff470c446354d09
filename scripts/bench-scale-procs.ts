import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * CPU and memory of a server process and everything it started (Linux
 * /proc). A server with OPENTIME_WORKERS > 1 is a primary with worker
 * processes under it; render threads are threads of their process, and
 * /proc/<pid>/stat already counts every thread's time, so only processes are
 * walked.
 */

/** Clock ticks per second of /proc's CPU times (USER_HZ); 100 on every common Linux, asked once anyway. */
const CLOCK_TICKS = (() => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

/** The process and its descendants, parents first; processes that exit meanwhile are left out. */
export function processTree(pid: number): number[] {
  const tree: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.shift() as number;
    tree.push(next);
    let tasks: string[];
    try {
      tasks = fs.readdirSync(`/proc/${next}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        for (const child of fs.readFileSync(`/proc/${next}/task/${task}/children`, 'utf8').trim().split(/\s+/)) {
          if (child) pending.push(Number(child));
        }
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  return tree;
}

/** stat fields after the command name (which may hold spaces), or undefined once the process is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) the process tree has used so far. The root's
 * cutime/cstime add children it has already reaped, so a worker that died
 * during a load is not lost from the sum.
 */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const member of processTree(pid)) {
    const fields = statFields(member);
    if (!fields) continue;
    // utime, stime are fields 14 and 15 of stat, i.e. 11 and 12 after the name; cutime, cstime 13 and 14.
    ticks += Number(fields[11]) + Number(fields[12]);
    if (member === pid) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return ticks / CLOCK_TICKS;
}

export interface TreeMemory {
  /** Resident set now, summed over the tree, in KiB. */
  rssKb: number;
  /** Each process's own peak resident set (VmHWM), summed: an upper bound of the tree's peak. */
  hwmKb: number;
  processes: number;
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export function treeMemory(pid: number): TreeMemory {
  const tree = processTree(pid);
  let rssKb = 0;
  let hwmKb = 0;
  for (const member of tree) {
    rssKb += statusKb(member, 'VmRSS');
    hwmKb += statusKb(member, 'VmHWM');
  }
  return { rssKb, hwmKb, processes: tree.length };
}

/**
 * Samples the tree's resident set every `everyMs` until stopped: the peak of
 * the sum (VmHWM alone is per process, and workers peak at different moments).
 */
export class RssSampler {
  private peakKb = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number, everyMs = 200) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    this.peakKb = Math.max(this.peakKb, treeMemory(this.pid).rssKb);
  }

  /** Stops sampling; the peak sum of VmRSS seen and the VmHWM sum now. */
  stop(): { peakRssKb: number; hwmKb: number } {
    clearInterval(this.timer);
    this.sample();
    return { peakRssKb: this.peakKb, hwmKb: treeMemory(this.pid).hwmKb };
  }
}

/**
 * CPU seconds every process on the machine has used so far (/proc/stat: user,
 * nice, system, irq, softirq, steal). Less the server's and the bench's own,
 * it tells how much of the machine other work took during a load: on a shared
 * machine, a ratio measured while someone else was compiling says so.
 */
export function machineCpuSeconds(): number {
  try {
    const fields = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
