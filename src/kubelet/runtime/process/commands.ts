// Starting a container's command as a host process and running exec commands beside it.
// A container runs under a tiny /bin/sh wrapper in its own session and process group. The wrapper
// plays a container's init: SIGTERM sent to it goes to the command only (as Docker signals only a
// container's PID 1), and once the command has exited it writes the exit status to a file, which
// keeps the exit code for a runtime that was not the process's parent (one restarted meanwhile).
// SIGKILL goes to the whole group. A `wait` cut short by the trap returns while the command still
// runs (or is an unreaped zombie, which `kill -0` still sees), hence the loop.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import type { ExecResult } from '../types.js';

const wrapper = [
  'f=$1; shift',
  "trap 'kill -TERM $c 2>/dev/null' TERM",
  '"$@" & c=$!',
  'while :; do wait $c; s=$?; kill -0 $c 2>/dev/null || break; done',
  'echo "$s" > "$f.tmp" && mv "$f.tmp" "$f"',
  'exit "$s"',
].join('\n');

export const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The executable `name` resolves to on `path`, or undefined. */
export function resolveExecutable(name: string, path: string, cwd: string): string | undefined {
  const candidates = name.includes('/')
    ? [name.startsWith('/') ? name : join(cwd, name)]
    : path
        .split(':')
        .filter(Boolean)
        .map((d) => join(d, name));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export interface StartSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  shell: string;
  exitFile: string;
  stdoutFd: number;
  stderrFd: number;
}

export function spawnContainerProcess(spec: StartSpec): ChildProcess {
  const child = spawn(spec.shell, ['-c', wrapper, 'kubelite-container', spec.exitFile, ...spec.argv], {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', spec.stdoutFd, spec.stderrFd],
  });
  child.unref();
  return child;
}

/** Sends a signal to one process; false when it is gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Sends a signal to a container's process group; false when it is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs a command to completion with output captured; killed (with its group) after the timeout. */
export function runCommand(
  argv: string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
): Promise<ExecResult> {
  const file = resolveExecutable(argv[0] ?? '', env.PATH ?? defaultPath, cwd);
  if (!file) {
    return Promise.resolve({
      exitCode: 127,
      stdout: Buffer.alloc(0),
      stderr: Buffer.from(`exec: "${argv[0]}": executable file not found in $PATH\n`),
      timedOut: false,
    });
  }
  return new Promise((resolve) => {
    const child = spawn(file, argv.slice(1), { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) signalGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    const done = (exitCode: number) => {
      clearTimeout(timer);
      resolve({
        exitCode: timedOut ? -1 : exitCode,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        timedOut,
      });
    };
    child.once('error', (err) => {
      stderr.push(Buffer.from(`${err.message}\n`));
      done(126);
    });
    child.once('close', (code, signal) => done(code ?? 128 + signalNumber(signal)));
  });
}

export function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (osConstants.signals[signal] ?? 0) : 0;
}
