// The level-triggered pod sync: read the pod's runtime state, decide (computePodActions), act (kill,
// create the sandbox, start containers with back-off and image checks), read the state again and
// hand the resulting status to the status manager and the probe workers. Also the two ways a pod
// ends on this node: a finished pod (Succeeded/Failed) is stopped but kept for its logs; a deleted
// one is stopped gracefully (preStop, SIGTERM, SIGKILL after the grace period), removed from the
// runtime, and then removed from the API with a uid precondition.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPullPolicy } from '../../api/defaults.js';
import type { Container, LifecycleHandler, Pod, PodStatus, ResourceList } from '../../api/types.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';
import { type KubeletEvents, podDescription } from '../events.js';
import type { KubeletMetrics } from '../metrics.js';
import { runProbe } from '../prober/probe.js';
import type { ProberManager } from '../prober/prober-manager.js';
import { isRuntimeError } from '../runtime/errors.js';
import type {
  ContainerStatus,
  EnvVar,
  PodSandboxConfig,
  PodSandboxStatus,
  Runtime,
} from '../runtime/types.js';
import { computePodStatus, isTerminalPhase, type Waiting } from '../status/pod-status.js';
import { containerConfig, sandboxConfig, volumeMounts } from './container-config.js';
import { type BackoffTracker, formatGoDuration } from './crash-backoff.js';
import { containerEnv, EnvError } from './env.js';
import { backoffKey, type ContainerStart, computePodActions, deathTime } from './pod-actions.js';
import {
  currentSandbox,
  emptyPodState,
  type PodRuntimeState,
  podStateOf,
  readPodState,
} from './pod-state.js';

/** One pod as the workers know it. */
export interface PodWork {
  readonly uid: string;
  /** The newest spec (from the API, or rebuilt from runtime labels for an orphan). */
  pod: Pod;
  /** Deletion was asked for, the pod left the API, or it is an orphan: stop and remove it. */
  terminating: boolean;
  /** Already gone from the API: no final DELETE. */
  goneFromApi: boolean;
  /** Overrides the pod's grace period (orphans found at start-up). */
  gracePeriodMs?: number;
  /** Per container: why it is not running, as the last sync found. */
  waiting: Map<string, Waiting>;
  /** The runtime state after the last sync. */
  state?: PodRuntimeState;
  /** A container of the pod was started by this kubelet (so its start is measured). */
  startedHere: boolean;
  /** The runtime had nothing of this pod when the kubelet listed it: the first sync need not look. */
  assumeEmpty: boolean;
  startMeasured: boolean;
  syncs: number;
}

export function newPodWork(pod: Pod): PodWork {
  return {
    uid: pod.metadata.uid ?? '',
    pod,
    terminating: false,
    goneFromApi: false,
    waiting: new Map(),
    startedHere: false,
    assumeEmpty: false,
    startMeasured: false,
    syncs: 0,
  };
}

export interface SyncResult {
  /** Sync again after this long (a back-off ends); undefined: only when something happens. */
  retryAfterMs?: number;
  /** The pod is gone from this node: forget it. */
  done?: boolean;
}

export interface PodApi {
  /** The final DELETE: gracePeriodSeconds=0 with a uid precondition; NotFound and Conflict are fine. */
  deletePod(pod: Pod): Promise<void>;
}

export interface StatusSink {
  set(pod: Pod, status: PodStatus): void;
  status(uid: string): PodStatus | undefined;
  forget(uid: string): void;
}

export interface PodSyncerOptions {
  runtime: Runtime;
  clock: Clock;
  logger: Logger;
  events: KubeletEvents;
  metrics: KubeletMetrics;
  prober: ProberManager;
  status: StatusSink;
  api: PodApi;
  restartBackoff: BackoffTracker;
  /** Paces retries of missing images, sandbox and container creation failures. */
  failureBackoff: BackoffTracker;
  /** The service variables for a container of `pod` starting now. */
  serviceEnv(pod: Pod): EnvVar[];
  hostIP: string;
  nodeAllocatable(): ResourceList;
  /** emptyDir volumes live under <volumesDir>/<pod uid>/<volume>. */
  volumesDir: string;
}

interface StartOutcome {
  started: boolean;
  /** The container created (started or not). */
  containerId?: string;
  retryAfterMs?: number;
}

/** After a preStop hook the container still gets at least this much of SIGTERM (Kubernetes: 2 s). */
const minimumGraceAfterHookMs = 2000;

export function gracePeriodMsOf(pod: Pod): number {
  return (pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function specContainer(pod: Pod, name: string): Container | undefined {
  return (
    pod.spec.containers.find((c) => c.name === name) ?? pod.spec.initContainers?.find((c) => c.name === name)
  );
}

export class PodSyncer {
  constructor(private readonly o: PodSyncerOptions) {}

  /** One sync of a pod that should run (or one that finished); terminate() for one that must go. */
  async sync(work: PodWork): Promise<SyncResult> {
    if (work.terminating) return this.terminate(work);
    work.syncs++;
    const { pod, uid } = work;
    const { runtime, clock } = this.o;
    const previous = this.o.status.status(uid) ?? pod.status;
    if (isTerminalPhase(previous?.phase)) {
      await this.stopFinished(work);
      return {};
    }
    let state = work.syncs === 1 && work.assumeEmpty ? emptyPodState(uid) : await readPodState(runtime, uid);
    const now = clock.now();
    const actions = computePodActions({
      pod,
      state,
      now,
      backoff: this.o.restartBackoff,
      probeFailed: (c, type) => this.o.prober.failed(c, type),
    });
    let retry: number | undefined;
    const retryIn = (ms: number) => {
      retry = retry === undefined ? ms : Math.min(retry, ms);
    };
    work.waiting.clear();
    // What changed in the runtime: stops need a fresh read, creations only their own statuses.
    let stopped = false;
    let started = false;
    let newSandbox: PodSandboxStatus | undefined;
    const created: string[] = [];
    const graceMs = (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;

    if (actions.killPod) stopped = await this.killPod(pod, state, graceMs);
    for (const kill of actions.kill) {
      await this.killContainer(pod, kill.container, kill.status, graceMs, kill.message);
      stopped = true;
    }

    const sandbox = currentSandbox(state);
    let sandboxId = sandbox?.state === 'ready' ? sandbox.id : undefined;
    let podIP = sandboxId ? (sandbox?.ip ?? '') : '';
    if (actions.createSandbox) {
      const key = `${uid}/POD`;
      const left = this.o.failureBackoff.remainingSinceUpdate(key, now);
      if (left > 0) retryIn(left);
      else {
        if (actions.sandboxChanged) {
          this.o.events.pod(
            pod,
            'Normal',
            'SandboxChanged',
            'Pod sandbox changed, it will be killed and re-created.',
          );
          this.o.metrics.restartedPods.inc();
        }
        const config = sandboxConfig(pod, actions.sandboxAttempt, this.o.hostIP);
        try {
          const sandbox = await runtime.runPodSandbox(config);
          sandboxId = sandbox.sandboxId;
          podIP = sandbox.ip;
          newSandbox = sandboxStatusOf(config, sandbox.sandboxId, sandbox.ip, now);
          this.o.failureBackoff.reset(key);
        } catch (err) {
          this.o.events.pod(
            pod,
            'Warning',
            'FailedCreatePodSandBox',
            `Failed to create pod sandbox: ${messageOf(err)}`,
          );
          retryIn(this.o.failureBackoff.next(key, now));
          stopped = true; // a half-made sandbox may be left: read the state again
        }
      }
    }

    for (const b of actions.backedOff) {
      const name = b.container.name;
      work.waiting.set(name, {
        reason: 'CrashLoopBackOff',
        message: `back-off ${formatGoDuration(b.backoffMs)} restarting failed container=${name} pod=${podDescription(pod)}`,
      });
      this.o.events.container(
        pod,
        b.container,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${name} in pod ${podDescription(pod)}`,
      );
      retryIn(b.remainingMs);
    }

    if (sandboxId) {
      for (const start of actions.start) {
        const outcome = await this.startContainer(work, start, sandboxId, podIP);
        started ||= outcome.started;
        if (outcome.containerId) created.push(outcome.containerId);
        if (outcome.retryAfterMs !== undefined) retryIn(outcome.retryAfterMs);
      }
    }

    if (stopped) state = await readPodState(runtime, uid);
    else if (newSandbox || created.length > 0) {
      const fresh = await Promise.all(created.map((id) => runtime.containerStatus(id)));
      state = podStateOf(uid, newSandbox ? [newSandbox, ...state.sandboxes] : state.sandboxes, [
        ...fresh.filter((c): c is ContainerStatus => c !== undefined),
        ...state.containers,
      ]);
    }
    if (started) state = await this.collectGarbage(state);
    work.state = state;
    const current = currentSandbox(state);
    const ip = current?.state === 'ready' ? current.ip : (previous?.podIP ?? '');
    // Probe workers first: a container with a readiness probe is not Ready until it succeeds.
    this.o.prober.update(pod, ip, latestByName(state), previous);
    const status = this.status(work, state, previous);
    this.o.status.set(pod, status);
    this.measureStart(work, status);
    return { retryAfterMs: retry };
  }

  /** The pod's status from this state (also what the kubelet's /pods shows). */
  status(work: PodWork, state: PodRuntimeState, previous: PodStatus | undefined): PodStatus {
    return computePodStatus({
      pod: work.pod,
      state,
      previous,
      waiting: work.waiting,
      ready: (c) => this.o.prober.ready(c),
      started: (c) => this.o.prober.started(c),
      hostIP: this.o.hostIP,
      runtimeKind: this.o.runtime.kind,
      now: this.o.clock.now(),
    });
  }

  /** Stops, removes and deletes a pod that must leave the node. */
  async terminate(work: PodWork): Promise<SyncResult> {
    const { pod, uid } = work;
    const { runtime } = this.o;
    const graceMs = work.gracePeriodMs ?? gracePeriodMsOf(pod);
    const state = await readPodState(runtime, uid);
    await Promise.all(
      state.containers
        .filter((c) => c.state === 'running')
        .map((c) =>
          this.killContainer(pod, specContainer(pod, c.name), c, graceMs, `Stopping container ${c.name}`),
        ),
    );
    // Removing a sandbox stops whatever still runs in it (the infra container): no separate stop.
    for (const s of state.sandboxes) await runtime.removePodSandbox(s.id);
    const sandboxIds = new Set(state.sandboxes.map((s) => s.id));
    for (const c of state.containers) if (!sandboxIds.has(c.sandboxId)) await runtime.removeContainer(c.id);
    rmSync(join(this.o.volumesDir, uid), { recursive: true, force: true });
    this.o.prober.remove(uid);
    this.o.restartBackoff.forgetPrefix(`${uid}/`);
    this.o.failureBackoff.forgetPrefix(`${uid}/`);
    work.state = emptyPodState(uid);
    if (!work.goneFromApi) await this.o.api.deletePod(pod);
    this.o.status.forget(uid);
    return { done: true };
  }

  /** A Succeeded/Failed pod: nothing may run, its containers stay for their logs. */
  private async stopFinished(work: PodWork): Promise<void> {
    const state = await readPodState(this.o.runtime, work.uid);
    const graceMs = (work.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    if (await this.killPod(work.pod, state, graceMs))
      work.state = await readPodState(this.o.runtime, work.uid);
    else work.state = state;
    this.o.prober.remove(work.uid);
  }

  /** Stops every running container, then every ready sandbox. True when anything was stopped. */
  private async killPod(pod: Pod, state: PodRuntimeState, graceMs: number): Promise<boolean> {
    const running = state.containers.filter((c) => c.state === 'running');
    await Promise.all(
      running.map((c) =>
        this.killContainer(pod, specContainer(pod, c.name), c, graceMs, `Stopping container ${c.name}`),
      ),
    );
    const ready = state.sandboxes.filter((s) => s.state === 'ready');
    for (const s of ready) await this.o.runtime.stopPodSandbox(s.id);
    return running.length > 0 || ready.length > 0;
  }

  /** Killing event, the preStop hook within the grace period, then SIGTERM and SIGKILL. */
  private async killContainer(
    pod: Pod,
    container: Container | undefined,
    status: ContainerStatus,
    graceMs: number,
    message: string,
  ): Promise<void> {
    const { clock, runtime } = this.o;
    if (container) this.o.events.container(pod, container, 'Normal', 'Killing', message);
    const began = clock.now();
    const preStop = container?.lifecycle?.preStop;
    if (container && preStop && graceMs > 0) {
      const outcome = await this.runHook(preStop, pod, container, status.id, graceMs);
      if (!outcome.ok) {
        this.o.events.container(
          pod,
          container,
          'Warning',
          'FailedPreStopHook',
          `PreStopHook failed: ${outcome.output}`,
        );
      }
    }
    const spent = clock.now() - began;
    const left = graceMs > 0 ? Math.max(graceMs - spent, Math.min(graceMs, minimumGraceAfterHookMs)) : 0;
    await runtime.stopContainer(status.id, left);
  }

  private runHook(
    handler: LifecycleHandler,
    pod: Pod,
    container: Container,
    containerId: string,
    timeoutMs: number,
  ) {
    const podIP = this.o.status.status(pod.metadata.uid ?? '')?.podIP ?? '';
    return runProbe(
      { ...handler, timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)) },
      { podIP, container, containerId },
      this.o.runtime,
    );
  }

  private async startContainer(
    work: PodWork,
    start: ContainerStart,
    sandboxId: string,
    podIP: string,
  ): Promise<StartOutcome> {
    const { pod, uid } = work;
    const { runtime, clock, events, failureBackoff } = this.o;
    const c = start.container;
    const image = c.image ?? '';
    const now = clock.now();
    const imageKey = `${uid}/${c.name}/image`;
    const never = (c.imagePullPolicy ?? defaultPullPolicy(image)) === 'Never';
    const neverMessage = `Container image "${image}" is not present with pull policy of Never`;
    const failed = (reason: string, message: string, key: string): StartOutcome => {
      work.waiting.set(c.name, { reason, message });
      events.container(pod, c, 'Warning', 'Failed', `Error: ${message}`);
      return { started: false, retryAfterMs: failureBackoff.next(`${uid}/${c.name}/${key}`, now) };
    };
    const missing = (): StartOutcome => {
      if (never) {
        work.waiting.set(c.name, { reason: 'ErrImageNeverPull', message: neverMessage });
        events.container(pod, c, 'Warning', 'ErrImageNeverPull', neverMessage);
      } else {
        const message = `image "${image}" is not present on this node and kubelite never pulls images: build or load it locally`;
        work.waiting.set(c.name, { reason: 'ErrImagePull', message });
        events.container(pod, c, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`);
      }
      return { started: false, retryAfterMs: failureBackoff.next(imageKey, now) };
    };

    const imageWait = failureBackoff.remainingSinceUpdate(imageKey, now);
    if (imageWait > 0) {
      if (never) work.waiting.set(c.name, { reason: 'ErrImageNeverPull', message: neverMessage });
      else {
        const message = `Back-off pulling image "${image}"`;
        work.waiting.set(c.name, { reason: 'ImagePullBackOff', message });
        events.container(pod, c, 'Normal', 'BackOff', message);
      }
      return { started: false, retryAfterMs: imageWait };
    }

    let config: ReturnType<typeof containerConfig>;
    try {
      const env = containerEnv(pod, c, this.o.serviceEnv(pod), {
        hostIP: this.o.hostIP,
        podIP,
        nodeAllocatable: this.o.nodeAllocatable(),
      });
      const mounts = volumeMounts(pod, c, (volume) => this.emptyDir(uid, volume));
      config = containerConfig(c, start.attempt, env, mounts);
    } catch (err) {
      if (err instanceof EnvError) return failed('CreateContainerConfigError', err.message, 'config');
      throw err;
    }
    if (start.restart) {
      this.o.restartBackoff.next(
        backoffKey(uid, c.name),
        (start.previous && deathTime(start.previous)) || now,
      );
      this.o.metrics.containerRestarts.inc();
    }
    // The runtime checks the image as it creates the container (it never pulls): one call, not two.
    let id: string;
    try {
      id = await runtime.createContainer(sandboxId, config);
    } catch (err) {
      if (isRuntimeError(err, 'ImageNotPresent')) return missing();
      return failed('CreateContainerError', messageOf(err), 'create');
    }
    failureBackoff.reset(imageKey);
    failureBackoff.reset(`${uid}/${c.name}/create`);
    events.container(pod, c, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    events.container(pod, c, 'Normal', 'Created', `Created container ${c.name}`);
    try {
      await runtime.startContainer(id);
    } catch (err) {
      // The instance now shows as exited (StartError); the next sync restarts it under back-off.
      events.container(pod, c, 'Warning', 'Failed', `Error: ${messageOf(err)}`);
      return { started: false, containerId: id, retryAfterMs: 0 };
    }
    events.container(pod, c, 'Normal', 'Started', `Started container ${c.name}`);
    work.startedHere = true;
    const postStart = c.lifecycle?.postStart;
    if (postStart) {
      const outcome = await this.runHook(postStart, pod, c, id, 30_000);
      if (!outcome.ok) {
        events.container(pod, c, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${outcome.output}`);
        const status = await runtime.containerStatus(id);
        if (status) await this.killContainer(pod, c, status, 0, `FailedPostStartHook`);
      }
    }
    return { started: true, containerId: id };
  }

  private emptyDir(uid: string, volume: string): string {
    const dir = join(this.o.volumesDir, uid, volume);
    mkdirSync(dir, { recursive: true, mode: 0o777 });
    return dir;
  }

  /**
   * Keeps per container its newest instance and the newest exited one before it (`--previous`
   * logs); removes older ones, and sandboxes left with nothing kept.
   */
  private async collectGarbage(state: PodRuntimeState): Promise<PodRuntimeState> {
    const keep = new Set<string>();
    const kept = new Map<string, number>();
    for (const c of state.containers) {
      const n = kept.get(c.name) ?? 0;
      if (n === 0 || (n === 1 && c.state === 'exited') || c.state === 'running') {
        keep.add(c.id);
        kept.set(c.name, n + 1);
      }
    }
    const current = currentSandbox(state)?.id;
    const sandboxes = state.sandboxes.filter(
      (s) =>
        s.id === current ||
        s.state === 'ready' ||
        state.containers.some((c) => keep.has(c.id) && c.sandboxId === s.id),
    );
    const removed = state.containers.filter((c) => !keep.has(c.id));
    for (const c of removed) await this.o.runtime.removeContainer(c.id);
    for (const s of state.sandboxes) if (!sandboxes.includes(s)) await this.o.runtime.removePodSandbox(s.id);
    if (removed.length === 0 && sandboxes.length === state.sandboxes.length) return state;
    const live = new Set(sandboxes.map((s) => s.id));
    return {
      uid: state.uid,
      sandboxes,
      containers: state.containers.filter((c) => keep.has(c.id) && (live.has(c.sandboxId) || !c.sandboxId)),
    };
  }

  /** kubelet_pod_start_duration_seconds: creation → every container running, for pods started here. */
  private measureStart(work: PodWork, status: PodStatus): void {
    if (work.startMeasured) return;
    const all = status.containerStatuses ?? [];
    if (all.length === 0 || !all.every((c) => c.state?.running)) return;
    work.startMeasured = true;
    if (!work.startedHere) return; // adopted after a restart: started long ago
    const created = Date.parse(work.pod.metadata.creationTimestamp ?? '');
    if (Number.isFinite(created)) {
      this.o.metrics.podStartDuration.observe(Math.max(0, this.o.clock.now() - created) / 1000);
    }
  }
}

/** The status of a sandbox just made, from its config and the runtime's answer (no inspect needed). */
function sandboxStatusOf(config: PodSandboxConfig, id: string, ip: string, now: number): PodSandboxStatus {
  return {
    id,
    podUid: config.uid,
    namespace: config.namespace,
    name: config.name,
    attempt: config.attempt ?? 0,
    state: 'ready',
    ip,
    createdAt: now,
    labels: config.labels ?? {},
    annotations: config.annotations ?? {},
    portMappings: config.portMappings ?? [],
  };
}

export function latestByName(state: PodRuntimeState): Map<string, ContainerStatus> {
  const out = new Map<string, ContainerStatus>();
  for (const c of state.containers) if (!out.has(c.name)) out.set(c.name, c);
  return out;
}
