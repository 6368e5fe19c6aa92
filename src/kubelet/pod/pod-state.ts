// What the runtime has for one pod: its sandboxes and containers, newest first. Read fresh at every
// sync (the sync is triggered by an event, so the state has probably changed) with two filtered
// list calls: no cache to drift from the runtime, and nothing ever relisted on a timer.
import type { ContainerStatus, PodSandboxStatus, Runtime } from '../runtime/types.js';

export interface PodRuntimeState {
  uid: string;
  /** Newest first (highest attempt, then latest created). */
  sandboxes: PodSandboxStatus[];
  /** Newest first (highest attempt, then latest created), every container name mixed. */
  containers: ContainerStatus[];
}

const newestFirst = (
  a: { attempt: number; createdAt: number },
  b: { attempt: number; createdAt: number },
): number => b.attempt - a.attempt || b.createdAt - a.createdAt;

export function podStateOf(
  uid: string,
  sandboxes: PodSandboxStatus[],
  containers: ContainerStatus[],
): PodRuntimeState {
  return { uid, sandboxes: [...sandboxes].sort(newestFirst), containers: [...containers].sort(newestFirst) };
}

export async function readPodState(runtime: Runtime, uid: string): Promise<PodRuntimeState> {
  const [sandboxes, containers] = await Promise.all([
    runtime.listPodSandboxes({ podUid: uid }),
    runtime.listContainers({ podUid: uid }),
  ]);
  return podStateOf(uid, sandboxes, containers);
}

export function emptyPodState(uid: string): PodRuntimeState {
  return { uid, sandboxes: [], containers: [] };
}

/** The sandbox the pod lives in now (the newest one), if any. */
export function currentSandbox(state: PodRuntimeState): PodSandboxStatus | undefined {
  return state.sandboxes[0];
}

/** Every instance of one spec container, newest first. */
export function instancesOf(state: PodRuntimeState, name: string): ContainerStatus[] {
  return state.containers.filter((c) => c.name === name);
}

/** The newest instance of one spec container. */
export function latestOf(state: PodRuntimeState, name: string): ContainerStatus | undefined {
  return state.containers.find((c) => c.name === name);
}

/** Groups a node-wide listing by pod uid (start-up adoption). */
export function groupByPod(
  sandboxes: PodSandboxStatus[],
  containers: ContainerStatus[],
): Map<string, PodRuntimeState> {
  const byUid = new Map<string, { s: PodSandboxStatus[]; c: ContainerStatus[] }>();
  const entry = (uid: string) => {
    let e = byUid.get(uid);
    if (!e) byUid.set(uid, (e = { s: [], c: [] }));
    return e;
  };
  for (const s of sandboxes) entry(s.podUid).s.push(s);
  for (const c of containers) entry(c.podUid).c.push(c);
  const out = new Map<string, PodRuntimeState>();
  for (const [uid, e] of byUid) out.set(uid, podStateOf(uid, e.s, e.c));
  return out;
}
