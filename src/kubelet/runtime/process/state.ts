// The process runtime's state directory: one JSON record per sandbox and per container (written
// atomically on every change), plus each container's pipes, exit file, log and scratch directory.
// A restarted runtime rebuilds everything from here and adopts processes that still run.
//
//   <stateDir>/sandboxes/<id>.json
//   <stateDir>/containers/<id>/{container.json, stdout, stderr, exit, log, tmp/}
//   <stateDir>/bin/          busybox applet links appended to containers' PATH
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerFacts, SandboxFacts } from '../records.js';

export type SandboxRecord = SandboxFacts;

/** What a container's container.json holds: its facts (without derived ones) and process identity. */
export interface ContainerRecord extends Omit<ContainerFacts, 'podUid' | 'imageRef'> {
  /** Start time of `pid` (the wrapper, also the process group id) in clock ticks since boot. */
  pidStartTicks?: string;
  /** The runtime sent SIGKILL: an exit without a status file is 137. */
  killed?: boolean;
}

export class StateDir {
  readonly sandboxesDir: string;
  readonly containersDir: string;
  readonly binDir: string;

  constructor(readonly root: string) {
    this.sandboxesDir = join(root, 'sandboxes');
    this.containersDir = join(root, 'containers');
    this.binDir = join(root, 'bin');
    for (const d of [this.sandboxesDir, this.containersDir]) mkdirSync(d, { recursive: true });
  }

  containerDir(id: string): string {
    return join(this.containersDir, id);
  }

  containerFile(id: string, name: 'stdout' | 'stderr' | 'exit' | 'log' | 'tmp'): string {
    return join(this.containersDir, id, name);
  }

  saveSandbox(record: SandboxRecord): void {
    writeAtomically(join(this.sandboxesDir, `${record.id}.json`), record);
  }

  deleteSandbox(id: string): void {
    rmSync(join(this.sandboxesDir, `${id}.json`), { force: true });
  }

  saveContainer(record: ContainerRecord): void {
    writeAtomically(join(this.containerDir(record.id), 'container.json'), record);
  }

  deleteContainer(id: string): void {
    rmSync(this.containerDir(id), { recursive: true, force: true });
  }

  loadSandboxes(): SandboxRecord[] {
    return readdirSync(this.sandboxesDir)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => readJson<SandboxRecord>(join(this.sandboxesDir, f)));
  }

  loadContainers(): ContainerRecord[] {
    return readdirSync(this.containersDir).flatMap((id) =>
      readJson<ContainerRecord>(join(this.containerDir(id), 'container.json')),
    );
  }

  /** The exit status the wrapper wrote, once, or undefined. */
  takeExitStatus(id: string): number | undefined {
    const file = this.containerFile(id, 'exit');
    try {
      const code = Number(readFileSync(file, 'utf8').trim());
      unlinkSync(file);
      return Number.isInteger(code) ? code : undefined;
    } catch {
      return undefined;
    }
  }
}

function writeAtomically(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

/** A record, or nothing for a missing or half-written file (a crash mid-create). */
function readJson<T>(path: string): T[] {
  try {
    return [JSON.parse(readFileSync(path, 'utf8')) as T];
  } catch {
    return [];
  }
}

/** Start time of a process in clock ticks since boot, or undefined when it is gone. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; starttime is field 22 of the whole line.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
