// <data-dir>/cluster.json: what the current (or last) `kubelite up` runs: the layout (runtime, server,
// nodes and their ports) and each component's pid and command line. The next `up` reads it to keep
// the runtime and to stop components a crashed supervisor left behind; `kubelite down` reads it to
// find the cluster's containers; Prometheus configs can read the ports from it.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterLayout } from './layout.js';
import { processCommandLine } from './lock.js';

export const stateFileName = 'cluster.json';

export interface ComponentRecord {
  pid: number;
  argv: string[];
  startedAt: string;
}

export interface ClusterState {
  version: 1;
  supervisorPid: number;
  layout: ClusterLayout;
  components: Record<string, ComponentRecord>;
}

export function readClusterState(dataDir: string): ClusterState | undefined {
  try {
    const state = JSON.parse(readFileSync(join(dataDir, stateFileName), 'utf8')) as ClusterState;
    return state.version === 1 && state.layout ? state : undefined;
  } catch {
    return undefined;
  }
}

export function writeClusterState(dataDir: string, state: ClusterState): void {
  const path = join(dataDir, stateFileName);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** Recorded components whose process still runs the recorded command line (not a reused pid). */
export function leftoverComponents(state: ClusterState): Array<{ name: string; pid: number }> {
  const out: Array<{ name: string; pid: number }> = [];
  for (const [name, record] of Object.entries(state.components)) {
    const commandLine = processCommandLine(record.pid);
    if (commandLine === undefined) continue;
    if (commandLine.length === record.argv.length && commandLine.every((a, i) => a === record.argv[i])) {
      out.push({ name, pid: record.pid });
    }
  }
  return out;
}

/** SIGTERM the leftovers, SIGKILL those still there after timeoutMs; resolves when all are gone. */
export async function stopLeftovers(pids: readonly number[], timeoutMs: number): Promise<void> {
  const alive = (pid: number) => processCommandLine(pid) !== undefined;
  const send = (pid: number, signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  };
  for (const pid of pids) send(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(alive);
  // These are not our children: no exit event reaches us, so watch /proc briefly (leftovers are rare).
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 100));
    left = left.filter(alive);
  }
  for (const pid of left) send(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5000;
  while (left.length > 0 && Date.now() < killDeadline) {
    await new Promise((done) => setTimeout(done, 50));
    left = left.filter(alive);
  }
}
