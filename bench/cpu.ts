// The CPU a peer's browser uses: every process in the peer's network namespace (Chromium's
// browser, renderer, network and other utility processes: the peer's whole browser and nothing
// else), their user + system time from /proc/PID/stat (all threads), sampled at two instants.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { run } from '../e2e/netns/sh';

/** Clock ticks per second of /proc's utime and stime. */
const TICKS_PER_S =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** What one process had used by `at`. */
interface ProcessTime {
  readonly ticks: number;
  /** A renderer (`--type=renderer`): the page, the library, WebRTC's encoders and decoders. */
  readonly renderer: boolean;
}

/** The CPU time of every process of one namespace at one instant. */
export interface CpuSample {
  readonly at: number;
  readonly processes: ReadonlyMap<number, ProcessTime>;
}

/** CPU over a window, in % of one core (100 = one core busy all the time). */
export interface CpuUse {
  readonly totalPct: number;
  readonly rendererPct: number;
  /** Processes seen at the end of the window. */
  readonly processes: number;
  readonly windowMs: number;
}

/** Reads every process of `namespace` now; one that exits meanwhile is left out. */
export async function sampleCpu(namespace: string): Promise<CpuSample> {
  const pids = (await run('ip', ['netns', 'pids', namespace]))
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  const processes = new Map<number, ProcessTime>();
  for (const pid of pids) {
    const time = processTime(pid);
    if (time !== undefined) processes.set(pid, time);
  }
  return { at: Date.now(), processes };
}

/**
 * The CPU used between two samples. A process that started in between counts from its start; one
 * that ended in between is lost (Chromium's processes live as long as the page).
 */
export function cpuBetween(before: CpuSample, after: CpuSample): CpuUse {
  const windowMs = after.at - before.at;
  let total = 0;
  let renderer = 0;
  for (const [pid, time] of after.processes) {
    const used = time.ticks - (before.processes.get(pid)?.ticks ?? 0);
    total += used;
    if (time.renderer) renderer += used;
  }
  const pct = (ticks: number): number =>
    windowMs > 0 ? Math.round((ticks / TICKS_PER_S / (windowMs / 1000)) * 1000) / 10 : 0;
  return {
    totalPct: pct(total),
    rendererPct: pct(renderer),
    processes: after.processes.size,
    windowMs,
  };
}

function processTime(pid: number): ProcessTime | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3,
    // utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return Number.isFinite(ticks)
      ? { ticks, renderer: cmdline.includes('--type=renderer') }
      : undefined;
  } catch {
    return undefined; // exited meanwhile
  }
}
