// One process per embedded store directory: two writers would hand out the same revisions. The lock
// is a file holding the owner's pid, created exclusively; a file left by a process that no longer
// exists (kill -9) is taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from '../types.js';

export interface DirLock {
  release(): void;
}

const lockFile = 'kubelite.lock';

export function lockDir(dir: string): DirLock {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, lockFile);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new StorageError('Unavailable', `storage directory ${dir} is in use by process ${owner}`);
      }
      if (owner === process.pid) {
        throw new StorageError('Unavailable', `storage directory ${dir} is already open in this process`);
      }
      // The owner is gone: take the lock over.
      rmSync(path, { force: true });
    }
  }
  throw new StorageError('Unavailable', `could not lock storage directory ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
