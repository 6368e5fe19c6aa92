// One supervised component: a child process of the `kubelite` binary with its output appended to its
// own log file, restarted with back-off when it exits unexpectedly, stopped with SIGTERM and then
// SIGKILL after a timeout.
//
// Children run in their own process group (detached), so a Ctrl-C in the terminal reaches only the
// supervisor, which then stops them in order. Each child gets the read end of a pipe as fd 3
// (KUBELITE_SUPERVISOR_FD, see supervised.ts): if the supervisor dies without stopping them, the pipe
// closes and they stop themselves.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import { type BackoffOptions, createBackoff, wakeAfter } from '../client/backoff.js';
import { type Clock, systemClock, type TimerHandle } from '../util/clock.js';
import { lastErrorLine, readTail } from './log-tail.js';
import type { ComponentSpec } from './plan.js';

export const supervisorFdVariable = 'KUBELITE_SUPERVISOR_FD';

export type ComponentEvent =
  | { type: 'started'; name: string; pid: number; restarts: number; argv: string[] }
  | {
      type: 'exited';
      name: string;
      pid: number;
      code: number | null;
      signal: NodeJS.Signals | null;
      ranMs: number;
      lastError?: string;
    }
  | { type: 'restarting'; name: string; delayMs: number; restarts: number }
  | { type: 'stopped'; name: string; pid: number; tookMs: number; killed: boolean };

export interface ComponentProcessOptions {
  spec: ComponentSpec;
  /** The program and the arguments before spec.args: process.execPath and the kubelite entry. */
  command: string;
  commandArgs: string[];
  logFile: string;
  /** The child's whole environment (the supervisor adds KUBELITE_SUPERVISOR_FD). */
  env: NodeJS.ProcessEnv;
  onEvent(event: ComponentEvent): void;
  restartBackoff?: BackoffOptions;
  /** A run at least this long resets the back-off. */
  stableRunMs?: number;
  clock?: Clock;
}

export interface ComponentProcess {
  readonly spec: ComponentSpec;
  readonly pid: number | undefined;
  readonly restarts: number;
  readonly running: boolean;
  /** Starts the process (once); later exits restart it until stop() or kill(). */
  start(): void;
  /** No more restarts; SIGTERM, SIGKILL after timeoutMs; resolves once the process is gone. */
  stop(timeoutMs: number): Promise<void>;
  /** No more restarts; SIGKILL now. */
  kill(): Promise<void>;
  /** Resolves at the current process's exit (at once when none runs). */
  exited(): Promise<void>;
}

interface Run {
  child: ChildProcess;
  pid: number;
  startedAt: number;
  exit: Promise<void>;
}

function appendLine(path: string, entry: Record<string, unknown>): void {
  const fd = openSync(path, 'a');
  try {
    writeSync(
      fd,
      `${JSON.stringify({ level: 30, time: new Date().toISOString(), component: 'up', ...entry })}\n`,
    );
  } finally {
    closeSync(fd);
  }
}

export function createComponentProcess(options: ComponentProcessOptions): ComponentProcess {
  const { spec, onEvent } = options;
  const clock = options.clock ?? systemClock;
  const backoff = createBackoff(options.restartBackoff);
  const stableRunMs = options.stableRunMs ?? 30_000;
  let run: Run | undefined;
  let restarts = 0;
  let wanted = false;
  let restartTimer: TimerHandle | undefined;
  let stopping: { startedAt: number; killed: boolean } | undefined;

  function launch(): void {
    mkdirSync(dirname(options.logFile), { recursive: true });
    const log = openSync(options.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(options.command, [...options.commandArgs, ...spec.args], {
        env: { ...options.env, [supervisorFdVariable]: '3' },
        stdio: ['ignore', log, log, 'pipe'],
        detached: true,
      });
    } finally {
      closeSync(log);
    }
    // Our end of the supervisor pipe: never written, held open while we live; must not hold our loop.
    (child.stdio[3] as Socket | null)?.unref();
    const pid = child.pid;
    if (pid === undefined) {
      // spawn failed synchronously (ENOENT and the like): reported through 'error', treated as an exit.
      child.once('error', (err) => exitedAt(undefined, 0, null, null, err.message));
      return;
    }
    const startedAt = clock.now();
    const argv = [options.command, ...options.commandArgs, ...spec.args];
    appendLine(options.logFile, { child: spec.name, pid, argv, restarts, msg: 'started by kubelite up' });
    const exit = new Promise<void>((done) => {
      child.once('exit', (code, signal) => {
        exitedAt(current, pid, code, signal);
        done();
      });
    });
    child.on('error', () => {}); // kill() on a gone process; the exit event tells the rest
    const current: Run = { child, pid, startedAt, exit };
    run = current;
    onEvent({ type: 'started', name: spec.name, pid, restarts, argv });
  }

  function exitedAt(
    ended: Run | undefined,
    pid: number,
    code: number | null,
    signal: NodeJS.Signals | null,
    spawnError?: string,
  ): void {
    if (run === ended) run = undefined;
    const ranMs = ended ? clock.now() - ended.startedAt : 0;
    if (stopping) {
      onEvent({
        type: 'stopped',
        name: spec.name,
        pid,
        tookMs: clock.now() - stopping.startedAt,
        killed: stopping.killed,
      });
      return;
    }
    const lastError = spawnError ?? lastErrorLine(readTail(options.logFile));
    onEvent({
      type: 'exited',
      name: spec.name,
      pid,
      code,
      signal,
      ranMs,
      ...(lastError ? { lastError } : {}),
    });
    if (!wanted) return;
    if (ranMs >= stableRunMs) backoff.reset();
    const delayMs = Math.round(backoff.next());
    restarts++;
    onEvent({ type: 'restarting', name: spec.name, delayMs, restarts });
    restartTimer = wakeAfter(clock, delayMs, () => {
      restartTimer = undefined;
      if (wanted) launch();
    });
  }

  function sendSignal(current: Run, signal: NodeJS.Signals): void {
    try {
      current.child.kill(signal);
    } catch {
      // already gone
    }
  }

  async function halt(timeoutMs: number | undefined): Promise<void> {
    wanted = false;
    restartTimer?.cancel();
    restartTimer = undefined;
    const current = run;
    if (!current) return;
    stopping ??= { startedAt: clock.now(), killed: false };
    if (timeoutMs === undefined) {
      stopping.killed = true;
      sendSignal(current, 'SIGKILL');
      return current.exit;
    }
    sendSignal(current, 'SIGTERM');
    // A component frozen with SIGSTOP (a node-failure drill) must run to handle the SIGTERM.
    sendSignal(current, 'SIGCONT');
    const state = stopping;
    const timer = wakeAfter(clock, timeoutMs, () => {
      state.killed = true;
      sendSignal(current, 'SIGKILL');
    });
    await current.exit;
    timer.cancel();
  }

  return {
    spec,
    get pid() {
      return run?.pid;
    },
    get restarts() {
      return restarts;
    },
    get running() {
      return run !== undefined;
    },
    start() {
      if (wanted) return;
      wanted = true;
      stopping = undefined;
      launch();
    },
    stop: (timeoutMs) => halt(timeoutMs),
    kill: () => halt(undefined),
    exited: () => run?.exit ?? Promise.resolve(),
  };
}
