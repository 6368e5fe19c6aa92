// What a sync has to do, decided from the spec and the runtime state alone (Kubernetes'
// kuberuntime computePodActions): create the sandbox when it is missing or dead, run init containers
// one after another, start containers that are not running and should be per restartPolicy, kill
// those whose liveness or startup probe failed or whose spec changed, and stop the whole pod when
// nothing is left to run. Pure: back-off, probes and time come in as arguments.
import type { Container, Pod, RestartPolicy } from '../../api/types.js';
import type { ContainerStatus } from '../runtime/types.js';
import { containerHash, labelContainerHash } from './container-config.js';
import type { BackoffTracker } from './crash-backoff.js';
import { currentSandbox, type PodRuntimeState } from './pod-state.js';

export type KillReason = 'liveness' | 'startup' | 'changed';

export interface ContainerStart {
  container: Container;
  init: boolean;
  /** The restart count the new instance gets (0 for the first run). */
  attempt: number;
  /** An earlier instance ran: this start is a restart (counted, and it advances the back-off). */
  restart: boolean;
  /** The instance it replaces, when it exited; its finish time keys the back-off. */
  previous?: ContainerStatus;
}

export interface ContainerKill {
  status: ContainerStatus;
  container: Container;
  reason: KillReason;
  /** The Killing event's message. */
  message: string;
}

export interface BackedOff {
  container: Container;
  init: boolean;
  /** Time left before the next start. */
  remainingMs: number;
  /** The back-off in effect (what the CrashLoopBackOff message quotes). */
  backoffMs: number;
  previous: ContainerStatus;
}

export interface PodActions {
  /** Stop every running container and the sandbox (before a new sandbox, or because the pod is done). */
  killPod: boolean;
  createSandbox: boolean;
  sandboxAttempt: number;
  /** A previous sandbox existed: the new one replaces it (SandboxChanged). */
  sandboxChanged: boolean;
  kill: ContainerKill[];
  start: ContainerStart[];
  backedOff: BackedOff[];
  /** An init container failed and restartPolicy is Never: the pod failed. */
  initFailed: boolean;
}

export interface ActionInputs {
  pod: Pod;
  state: PodRuntimeState;
  now: number;
  backoff: BackoffTracker;
  /** Has this running container's liveness or startup probe reached its failure threshold? */
  probeFailed(container: ContainerStatus, probe: 'liveness' | 'startup'): boolean;
}

export function restartPolicyOf(pod: Pod): RestartPolicy {
  return pod.spec.restartPolicy ?? 'Always';
}

/**
 * When an exited instance died, for the back-off: its finish time, or its creation time when it never
 * ran (a start error: Docker reports no finish time, and a zero would make every back-off look over).
 */
export function deathTime(status: ContainerStatus): number {
  return status.finishedAt || status.createdAt;
}

export function backoffKey(uid: string, containerName: string): string {
  return `${uid}/${containerName}`;
}

/** Kubernetes' ShouldContainerBeRestarted for a container that is not running. */
export function shouldStart(policy: RestartPolicy, latest: ContainerStatus | undefined): boolean {
  if (!latest || latest.state === 'created' || latest.state === 'unknown') return true;
  if (latest.state === 'running') return false;
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return latest.exitCode !== 0;
  return true;
}

function nextAttempt(latest: ContainerStatus | undefined): number {
  return latest ? latest.attempt + 1 : 0;
}

function killMessage(name: string, reason: KillReason, restart: boolean): string {
  const base =
    reason === 'changed'
      ? `Container ${name} definition changed`
      : `Container ${name} failed ${reason} probe`;
  return restart ? `${base}, will be restarted` : base;
}

export function computePodActions(inputs: ActionInputs): PodActions {
  const { pod, state } = inputs;
  const policy = restartPolicyOf(pod);
  const actions: PodActions = {
    killPod: false,
    createSandbox: false,
    sandboxAttempt: 0,
    sandboxChanged: false,
    kill: [],
    start: [],
    backedOff: [],
    initFailed: false,
  };
  const sandbox = currentSandbox(state);
  const latestByName = new Map<string, ContainerStatus>();
  for (const c of state.containers) if (!latestByName.has(c.name)) latestByName.set(c.name, c);

  if (sandbox?.state !== 'ready') {
    const attempt = sandbox ? sandbox.attempt + 1 : 0;
    // A Never pod that already ran is not brought back in a new sandbox (Kubernetes does the same).
    if (policy === 'Never' && sandbox && state.containers.length > 0) {
      actions.killPod = true;
      return actions;
    }
    actions.createSandbox = true;
    actions.sandboxAttempt = attempt;
    actions.sandboxChanged = sandbox !== undefined;
    actions.killPod = state.containers.some((c) => c.state === 'running') || sandbox !== undefined;
    const init = pod.spec.initContainers ?? [];
    if (init.length > 0) {
      const first = init[0]!;
      const latest = latestByName.get(first.name);
      actions.start.push({ container: first, init: true, attempt: nextAttempt(latest), restart: !!latest });
      return actions;
    }
    for (const c of pod.spec.containers) {
      const latest = latestByName.get(c.name);
      if (policy === 'OnFailure' && latest?.state === 'exited' && latest.exitCode === 0) continue;
      actions.start.push({ container: c, init: false, attempt: nextAttempt(latest), restart: !!latest });
    }
    return actions;
  }

  if (!initialized(pod, state, sandbox.id)) {
    planInit(inputs, sandbox.id, actions);
    return actions;
  }

  let keep = 0;
  let toStart = 0;
  for (const c of pod.spec.containers) {
    const latest = latestByName.get(c.name);
    if (latest?.state !== 'running') {
      if (shouldStart(policy, latest)) {
        toStart++;
        planStart(inputs, c, false, latest, actions);
      }
      continue;
    }
    const reason = killReason(inputs, c, latest);
    if (!reason) {
      keep++;
      continue;
    }
    const restart = reason === 'changed' || policy !== 'Never';
    actions.kill.push({
      status: latest,
      container: c,
      reason,
      message: killMessage(c.name, reason, restart),
    });
    if (restart) {
      toStart++;
      // The killed instance restarts at once in this sync; back-off applies from its next death.
      actions.start.push({ container: c, init: false, attempt: latest.attempt + 1, restart: true });
    }
  }
  if (keep === 0 && toStart === 0) actions.killPod = true;
  return actions;
}

function killReason(inputs: ActionInputs, c: Container, running: ContainerStatus): KillReason | undefined {
  const hash = running.labels[labelContainerHash];
  if (hash && hash !== containerHash(c)) return 'changed';
  if (inputs.probeFailed(running, 'liveness')) return 'liveness';
  if (inputs.probeFailed(running, 'startup')) return 'startup';
  return undefined;
}

/** Starts `c` now, or notes the back-off it waits in when its last instance died too recently. */
function planStart(
  inputs: ActionInputs,
  c: Container,
  init: boolean,
  latest: ContainerStatus | undefined,
  actions: PodActions,
): void {
  if (latest?.state === 'exited') {
    const key = backoffKey(inputs.state.uid, c.name);
    const remainingMs = inputs.backoff.remaining(key, deathTime(latest), inputs.now);
    if (remainingMs > 0) {
      actions.backedOff.push({
        container: c,
        init,
        remainingMs,
        backoffMs: inputs.backoff.current(key) ?? 0,
        previous: latest,
      });
      return;
    }
    actions.start.push({ container: c, init, attempt: latest.attempt + 1, restart: true, previous: latest });
    return;
  }
  actions.start.push({ container: c, init, attempt: nextAttempt(latest), restart: false });
}

/** Init containers are done once each has exited 0 in this sandbox, or a regular container exists there. */
export function initialized(pod: Pod, state: PodRuntimeState, sandboxId: string): boolean {
  const init = pod.spec.initContainers ?? [];
  if (init.length === 0) return true;
  const inSandbox = state.containers.filter((c) => c.sandboxId === sandboxId);
  if (pod.spec.containers.some((c) => inSandbox.some((s) => s.name === c.name))) return true;
  return init.every((c) => {
    const latest = inSandbox.find((s) => s.name === c.name);
    return latest?.state === 'exited' && latest.exitCode === 0;
  });
}

function planInit(inputs: ActionInputs, sandboxId: string, actions: PodActions): void {
  const { pod, state } = inputs;
  const policy = restartPolicyOf(pod);
  for (const c of pod.spec.initContainers ?? []) {
    const latest = state.containers.find((s) => s.name === c.name && s.sandboxId === sandboxId);
    const anyLatest = state.containers.find((s) => s.name === c.name);
    if (!latest) {
      actions.start.push({ container: c, init: true, attempt: nextAttempt(anyLatest), restart: !!anyLatest });
      return;
    }
    if (latest.state === 'running') return;
    if (latest.state === 'exited' && latest.exitCode === 0) continue;
    if (latest.state === 'exited' && policy === 'Never') {
      actions.initFailed = true;
      actions.killPod = true;
      return;
    }
    planStart(inputs, c, true, latest, actions);
    return;
  }
}
