import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir, lockFileName, lockOwner } from './lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubelite-up-lock-'));
  dirs.push(d);
  return d;
}

describe('lockDataDir', () => {
  it('holds the dir with our pid and refuses a second taker', () => {
    const dir = dataDir();
    const first = lockDataDir(dir);
    expect(first.ok).toBe(true);
    expect(readFileSync(join(dir, lockFileName), 'utf8').trim()).toBe(String(process.pid));
    expect(lockOwner(dir)).toBe(process.pid);
    const second = lockDataDir(dir);
    expect(second).toMatchObject({ ok: false, ownerPid: process.pid });
    if (first.ok) first.lock.release();
    expect(lockOwner(dir)).toBeUndefined();
    expect(lockDataDir(dir).ok).toBe(true);
  });

  it('takes over a lock whose process is gone', () => {
    const dir = dataDir();
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(join(dir, lockFileName), gone.stdout);
    const result = lockDataDir(dir);
    expect(result).toMatchObject({ ok: true, staleOwner: Number(gone.stdout.trim()) });
  });
});
