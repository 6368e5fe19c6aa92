// Samples the CPU time and resident memory of processes by PID from /proc at a fixed interval, for
// figures such as "apiserver peak RSS" and "CPU cores used during the saturation phase".
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpuMicros } from './processes.js';

export interface ProcessUsage {
  /** CPU seconds (user + system) between the two marks. */
  cpuSeconds: number;
  /** cpuSeconds ÷ wall seconds: 1.0 = one core busy all the time. */
  cores: number;
  peakRssMiB: number;
  lastRssMiB: number;
}

/** Resident set size of a process in bytes (0 when it is gone). */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

function cpuOrZero(pid: number): number {
  try {
    return cpuMicros(pid);
  } catch {
    return 0;
  }
}

interface Mark {
  at: number;
  cpu: Map<number, number>;
}

export class ProcSampler {
  private readonly peaks = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly marks = new Map<string, Mark>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: () => number[],
    intervalMs = 1000,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  private sample(): void {
    for (const pid of this.pids()) {
      const rss = rssBytes(pid);
      if (rss === 0) continue;
      this.last.set(pid, rss);
      this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, rss));
    }
  }

  /** Remembers every process's CPU time now under `name`. */
  mark(name: string): void {
    this.sample();
    this.marks.set(name, { at: Date.now(), cpu: new Map(this.pids().map((pid) => [pid, cpuOrZero(pid)])) });
  }

  /** Usage of the given processes (summed) between two marks; peaks are since the sampler began. */
  usage(pids: number[], from: string, to: string): ProcessUsage {
    const a = this.marks.get(from);
    const b = this.marks.get(to);
    if (!a || !b) throw new Error(`no mark ${a ? to : from}`);
    const cpu = pids.reduce((sum, pid) => sum + ((b.cpu.get(pid) ?? 0) - (a.cpu.get(pid) ?? 0)), 0) / 1e6;
    const wall = Math.max(0.001, (b.at - a.at) / 1000);
    const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
    return {
      cpuSeconds: Math.round(cpu * 100) / 100,
      cores: Math.round((cpu / wall) * 100) / 100,
      peakRssMiB: mib(pids.reduce((sum, pid) => sum + (this.peaks.get(pid) ?? 0), 0)),
      lastRssMiB: mib(pids.reduce((sum, pid) => sum + (this.last.get(pid) ?? 0), 0)),
    };
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/** Open file descriptors of a process (sockets included); 0 when it is gone. */
export function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** The accept queue of a listening TCP port on loopback: connections waiting and the backlog. */
export function listenQueue(port: number): { waiting: number; backlog: number } | undefined {
  try {
    const line = execFileSync('ss', ['-Hlnt', `sport = :${port}`], { encoding: 'utf8' })
      .trim()
      .split('\n')[0];
    const [, recvQ, sendQ] = line?.trim().split(/\s+/) ?? [];
    return recvQ === undefined ? undefined : { waiting: Number(recvQ), backlog: Number(sendQ) };
  } catch {
    return undefined;
  }
}
