// One `kubelite up` per data directory: a lock file holding the supervisor's pid, created exclusively.
// A lock whose process is gone (or is no longer a kubelite process: the pid was reused) is stale
// and taken over. Refusal is an expected outcome, returned as a value.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const lockFileName = 'up.lock';

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

export type LockResult =
  | { ok: true; lock: DataDirLock; staleOwner?: number }
  | { ok: false; ownerPid: number; path: string };

/** The command line of a live process, or undefined when it does not exist (or is a zombie). */
export function processCommandLine(pid: number): string[] | undefined {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') return undefined;
  } catch {
    // no /proc: trust kill(0)
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return []; // alive, but no /proc to tell what it is
  }
}

/** The pid recorded in a data dir's lock when a live kubelite process holds it. */
export function lockOwner(dataDir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, lockFileName), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim().split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (pid === process.pid) return pid;
  const commandLine = processCommandLine(pid);
  if (commandLine === undefined) return undefined;
  if (commandLine.length > 0 && !commandLine.some((arg) => arg.includes('kubelite'))) return undefined;
  return pid;
}

export function lockDataDir(dataDir: string): LockResult {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, lockFileName);
  let staleOwner: number | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      const lock: DataDirLock = {
        path,
        release() {
          if (lockOwnerPid(path) === process.pid) rmSync(path, { force: true });
        },
      };
      return staleOwner === undefined ? { ok: true, lock } : { ok: true, lock, staleOwner };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = lockOwner(dataDir);
    if (owner !== undefined) return { ok: false, ownerPid: owner, path };
    staleOwner = lockOwnerPid(path);
    // Stale: move it aside (one of two racing takers wins the rename, the other retries the create).
    try {
      renameSync(path, `${path}.stale-${process.pid}`);
      rmSync(`${path}.stale-${process.pid}`, { force: true });
    } catch {
      // the other taker moved it first
    }
  }
  throw new Error(`could not lock ${dataDir}: ${path} keeps appearing`);
}

function lockOwnerPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim().split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
