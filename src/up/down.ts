// `kubelite down`: the way back from `kubelite up`. Stops an up running on the data dir (SIGTERM to
// its supervisor, which stops the components in order), stops components a crashed up left behind,
// removes the pods' containers of the cluster's nodes (they outlive `up` on purpose, so the next up
// adopts them), and with purge deletes the data dir: store, logs, kubeconfig, node state.
import { rmSync } from 'node:fs';
import { lockOwner, processCommandLine } from './lock.js';
import { type ClusterState, leftoverComponents, readClusterState, stopLeftovers } from './state.js';

export interface DownOptions {
  dataDir: string;
  /** Also delete the data dir. */
  purge?: boolean;
  /** Leave the pods' containers running. */
  keepContainers?: boolean;
  /** How long the running up may take to stop before it is killed. Default 60 s. */
  supervisorTimeoutMs?: number;
  say(text: string): void;
}

export interface DownResult {
  stoppedSupervisor?: number;
  stoppedLeftovers: string[];
  removedContainers: number;
  purged: boolean;
}

async function stopSupervisor(pid: number, timeoutMs: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  // Not our child, so no exit event: look at /proc until it is gone (a stop takes seconds at most).
  while (processCommandLine(pid) !== undefined) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL'); // its components then stop through their supervisor pipes
      break;
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

export async function downCluster(options: DownOptions): Promise<DownResult> {
  const result: DownResult = { stoppedLeftovers: [], removedContainers: 0, purged: false };
  const owner = lockOwner(options.dataDir);
  if (owner !== undefined) {
    options.say(`stopping kubelite up (pid ${owner})`);
    await stopSupervisor(owner, options.supervisorTimeoutMs ?? 60_000);
    result.stoppedSupervisor = owner;
  }
  const state: ClusterState | undefined = readClusterState(options.dataDir);
  if (state) {
    const leftovers = leftoverComponents(state);
    if (leftovers.length > 0) {
      options.say(`stopping ${leftovers.map((l) => `${l.name} (pid ${l.pid})`).join(', ')}`);
      await stopLeftovers(
        leftovers.map((l) => l.pid),
        10_000,
      );
      result.stoppedLeftovers = leftovers.map((l) => l.name);
    }
    if (!options.keepContainers && state.layout.nodes.length > 0) {
      // Loaded only when needed: the runtimes bring dockerode along.
      const { removeNodeContainers } = await import('./node-cleanup.js');
      for (const node of state.layout.nodes) {
        const removed = await removeNodeContainers(state.layout.runtime, node);
        if (removed > 0) options.say(`removed ${removed} pod sandbox(es) of ${node.name}`);
        result.removedContainers += removed;
      }
    }
  } else {
    options.say(`no cluster recorded in ${options.dataDir}`);
  }
  if (options.purge) {
    rmSync(options.dataDir, { recursive: true, force: true });
    options.say(`deleted ${options.dataDir}`);
    result.purged = true;
  }
  return result;
}
