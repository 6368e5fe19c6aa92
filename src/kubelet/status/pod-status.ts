// The v1 PodStatus the kubelet reports, computed from the spec, the runtime state, probe results and
// the reasons the last sync left for containers it could not start (Kubernetes' generateAPIPodStatus
// and getPhase). Pure and deterministic: lastTransitionTime and startTime come from the previous
// status when nothing changed, so recomputing an unchanged pod gives an identical object.
import type {
  ContainerStatus as ApiContainerStatus,
  Container,
  ContainerState,
  Pod,
  PodCondition,
  PodPhase,
  PodStatus,
} from '../../api/types.js';
import { rfc3339 } from '../../util/clock.js';
import { initialized, restartPolicyOf } from '../pod/pod-actions.js';
import { currentSandbox, type PodRuntimeState } from '../pod/pod-state.js';
import type { ContainerStatus, RuntimeKind } from '../runtime/types.js';

export interface Waiting {
  reason: string;
  message?: string;
}

export interface StatusInputs {
  pod: Pod;
  state: PodRuntimeState;
  /** The status last reported (ours, else the API's): keeps transition times and startTime stable. */
  previous?: PodStatus;
  /** Per container name: why it is not running, from the last sync (CrashLoopBackOff, ErrImageNeverPull…). */
  waiting: ReadonlyMap<string, Waiting>;
  /** Readiness of a running container (true when it has no readiness probe). */
  ready(container: ContainerStatus): boolean;
  /** Its startup probe passed (true when it has none). */
  started(container: ContainerStatus): boolean;
  hostIP: string;
  runtimeKind: RuntimeKind;
  now: number;
}

const terminalPhases: ReadonlySet<PodPhase | undefined> = new Set(['Succeeded', 'Failed']);

export function isTerminalPhase(phase: PodPhase | undefined): boolean {
  return terminalPhases.has(phase);
}

function time(ms: number): string | undefined {
  return ms > 0 ? rfc3339(ms) : undefined;
}

function terminatedOf(c: ContainerStatus, kind: RuntimeKind): ContainerState {
  const terminated: NonNullable<ContainerState['terminated']> = {
    exitCode: c.exitCode ?? 0,
    reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'),
  };
  if (c.message) terminated.message = c.message;
  const started = time(c.startedAt);
  const finished = time(c.finishedAt);
  if (started) terminated.startedAt = started;
  if (finished) terminated.finishedAt = finished;
  terminated.containerID = `${kind}://${c.id}`;
  return { terminated };
}

/** Status of one spec container from its instances (newest first). */
export function containerStatus(
  container: Container,
  instances: ContainerStatus[],
  inputs: StatusInputs,
  defaultWaiting: string,
): ApiContainerStatus {
  const latest = instances[0];
  const waiting = inputs.waiting.get(container.name);
  const kind = inputs.runtimeKind;
  if (!latest) {
    return {
      name: container.name,
      state: { waiting: waiting ?? { reason: defaultWaiting } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: container.image ?? '',
      imageID: '',
      started: false,
    };
  }
  const previousExited = instances.slice(1).find((c) => c.state === 'exited');
  const out: ApiContainerStatus = {
    name: container.name,
    state: {},
    lastState: {},
    ready: false,
    restartCount: latest.attempt,
    image: latest.image,
    imageID: latest.imageRef ? `${kind}://${latest.imageRef}` : '',
    containerID: `${kind}://${latest.id}`,
    started: false,
  };
  if (latest.state === 'running') {
    const startedAt = time(latest.startedAt);
    out.state = { running: startedAt ? { startedAt } : {} };
    if (previousExited) out.lastState = terminatedOf(previousExited, kind);
    out.started = inputs.started(latest);
    out.ready = out.started && inputs.ready(latest);
  } else if (latest.state === 'exited') {
    if (waiting) {
      out.state = { waiting };
      out.lastState = terminatedOf(latest, kind);
    } else {
      out.state = terminatedOf(latest, kind);
      if (previousExited) out.lastState = terminatedOf(previousExited, kind);
    }
  } else {
    out.state = { waiting: waiting ?? { reason: 'ContainerCreating' } };
    if (previousExited) out.lastState = terminatedOf(previousExited, kind);
  }
  return out;
}

/** Kubernetes' getPhase over init and regular container statuses. */
export function podPhase(pod: Pod, init: ApiContainerStatus[], regular: ApiContainerStatus[]): PodPhase {
  const policy = restartPolicyOf(pod);
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of init) {
    const state = s.state ?? {};
    const last = s.lastState?.terminated;
    if (state.terminated) {
      if (state.terminated.exitCode !== 0) failedInit++;
    } else if (state.waiting && last) {
      if (last.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || failedInit > 0) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of regular) {
    const state = s.state ?? {};
    if (state.running) running++;
    else if (state.terminated) {
      stopped++;
      if (state.terminated.exitCode === 0) succeeded++;
    } else if (state.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(
  type: string,
  ok: boolean,
  previous: PodStatus | undefined,
  now: number,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? 'True' : 'False';
  const before = previous?.conditions?.find((c) => c.type === type);
  const out: PodCondition = {
    type,
    status,
    lastTransitionTime:
      before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : rfc3339(now),
  };
  if (!ok && reason) out.reason = reason;
  if (!ok && message) out.message = message;
  return out;
}

const ownConditions = new Set(['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']);

export function computePodStatus(inputs: StatusInputs): PodStatus {
  const { pod, state, previous, now } = inputs;
  const sandbox = currentSandbox(state);
  const instances = (name: string) => state.containers.filter((c) => c.name === name);
  const isInitialized = sandbox
    ? initialized(pod, state, sandbox.id)
    : (pod.spec.initContainers ?? []).length === 0;
  const regularWaiting = isInitialized ? 'ContainerCreating' : 'PodInitializing';
  const init = (pod.spec.initContainers ?? []).map((c) =>
    containerStatus(c, instances(c.name), inputs, 'PodInitializing'),
  );
  const regular = pod.spec.containers
    .map((c) => containerStatus(c, instances(c.name), inputs, regularWaiting))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const phase = podPhase(pod, init, regular);

  const unready = regular.filter((s) => !s.ready).map((s) => s.name);
  const incomplete = init.filter((s) => s.state?.terminated?.exitCode !== 0).map((s) => s.name);
  const initDone = isInitialized || incomplete.length === 0;
  const completed = phase === 'Succeeded';
  const readyReason = completed ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = completed ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const scheduled = previous?.conditions?.find((c) => c.type === 'PodScheduled');
  const conditions: PodCondition[] = [
    condition(
      'Initialized',
      initDone,
      previous,
      now,
      completed ? 'PodCompleted' : 'ContainersNotInitialized',
      `containers with incomplete status: [${incomplete.join(' ')}]`,
    ),
    condition('Ready', unready.length === 0 && !completed, previous, now, readyReason, readyMessage),
    condition(
      'ContainersReady',
      unready.length === 0 && !completed,
      previous,
      now,
      readyReason,
      readyMessage,
    ),
    scheduled?.status === 'True' ? scheduled : condition('PodScheduled', true, previous, now),
  ];
  // Conditions other components own (DisruptionTarget, readiness gates) stay as they are.
  for (const c of previous?.conditions ?? []) if (!ownConditions.has(c.type)) conditions.push(c);

  const podIP = sandbox?.state === 'ready' && sandbox.ip ? sandbox.ip : (previous?.podIP ?? '');
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: inputs.hostIP,
    hostIPs: [{ ip: inputs.hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: previous?.startTime ?? rfc3339(now),
    ...(init.length > 0 ? { initContainerStatuses: init } : {}),
    containerStatuses: regular,
  };
  if (previous?.qosClass) status.qosClass = previous.qosClass;
  return status;
}
