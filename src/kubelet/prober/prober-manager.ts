// Kubernetes' prober manager: one worker per (pod, container, probe type), each on its own timer
// (probes are periodic by nature; nothing else in the kubelet is). A worker follows one container
// instance: a new instance resets it (readiness starts as failure, liveness as success, startup as
// not started) and its first probe runs once initialDelaySeconds have passed since the start.
// Results change only after successThreshold / failureThreshold consecutive outcomes; a change is
// reported so the pod is synced (Ready condition, or a restart after liveness/startup failure).
// Liveness and readiness wait for the startup probe to succeed.
import type { Container, Pod, PodStatus, Probe } from '../../api/types.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';
import type { ContainerStatus } from '../runtime/types.js';
import type { ProbeOutcome, ProbeTarget } from './probe.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';
export type ProbeResult = 'success' | 'failure';

export interface ProberManagerOptions {
  clock: Clock;
  logger: Logger;
  /** Runs one probe attempt (runProbe over the runtime in production). */
  run(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome>;
  /** A worker's result changed: the pod needs a sync. */
  onChange(uid: string): void;
  /** A probe attempt failed (the Unhealthy event). */
  onFailure(pod: Pod, container: Container, type: ProbeType, output: string): void;
  /** Each attempt's outcome, for metrics. */
  onProbe?(type: ProbeType, result: 'successful' | 'failed'): void;
}

const probeTypes: ProbeType[] = ['startup', 'liveness', 'readiness'];

function probeOf(container: Container, type: ProbeType): Probe | undefined {
  if (type === 'liveness') return container.livenessProbe;
  if (type === 'readiness') return container.readinessProbe;
  return container.startupProbe;
}

class Worker {
  containerId = '';
  startedAt = 0;
  result: ProbeResult | undefined;
  successes = 0;
  failures = 0;
  /** Liveness/startup failed or startup succeeded: no more probes for this instance. */
  done = false;
  timer: TimerHandle | undefined;
  inFlight = false;
  stopped = false;
  podIP = '';

  constructor(
    readonly uid: string,
    public pod: Pod,
    public container: Container,
    readonly type: ProbeType,
    public probe: Probe,
  ) {}
}

export class ProberManager {
  /** key `${uid}/${container}/${type}` */
  private readonly workers = new Map<string, Worker>();
  private readonly byPod = new Map<string, Set<string>>();

  constructor(private readonly options: ProberManagerOptions) {}

  /**
   * Brings the pod's workers in line with its spec and the containers running now (name → newest
   * instance). Called after every sync of the pod. `reported` is the status last reported: a
   * container already running before this kubelet started keeps its readiness and started flags
   * until probed, instead of flapping to not ready (a restarted kubelet adopts, it does not reset).
   */
  update(pod: Pod, podIP: string, latest: ReadonlyMap<string, ContainerStatus>, reported?: PodStatus): void {
    const uid = pod.metadata.uid ?? '';
    const keys = this.byPod.get(uid) ?? new Set<string>();
    const wanted = new Set<string>();
    for (const container of pod.spec.containers) {
      for (const type of probeTypes) {
        const probe = probeOf(container, type);
        if (!probe) continue;
        const key = `${uid}/${container.name}/${type}`;
        wanted.add(key);
        let worker = this.workers.get(key);
        if (!worker) {
          worker = new Worker(uid, pod, container, type, probe);
          this.workers.set(key, worker);
        }
        worker.pod = pod;
        worker.container = container;
        worker.probe = probe;
        worker.podIP = podIP;
        this.follow(worker, latest.get(container.name), reported);
      }
    }
    for (const key of keys) if (!wanted.has(key)) this.stopWorker(key);
    if (wanted.size > 0) this.byPod.set(uid, wanted);
    else this.byPod.delete(uid);
  }

  remove(uid: string): void {
    for (const key of this.byPod.get(uid) ?? []) this.stopWorker(key);
    this.byPod.delete(uid);
  }

  close(): void {
    for (const key of [...this.workers.keys()]) this.stopWorker(key);
    this.byPod.clear();
  }

  /** Readiness of this instance: true without a readiness probe. */
  ready(c: ContainerStatus): boolean {
    const w = this.workers.get(`${c.podUid}/${c.name}/readiness`);
    return !w || (w.containerId === c.id && w.result === 'success');
  }

  /** Startup probe passed for this instance: true without a startup probe. */
  started(c: ContainerStatus): boolean {
    const w = this.workers.get(`${c.podUid}/${c.name}/startup`);
    return !w || (w.containerId === c.id && w.result === 'success');
  }

  /** Has this instance's liveness or startup probe failed? */
  failed(c: ContainerStatus, type: 'liveness' | 'startup'): boolean {
    const w = this.workers.get(`${c.podUid}/${c.name}/${type}`);
    return w !== undefined && w.containerId === c.id && w.result === 'failure';
  }

  get workerCount(): number {
    return this.workers.size;
  }

  private stopWorker(key: string): void {
    const w = this.workers.get(key);
    if (!w) return;
    w.stopped = true;
    w.timer?.cancel();
    this.workers.delete(key);
  }

  /** Points the worker at the container's newest instance; a new running instance starts over. */
  private follow(w: Worker, latest: ContainerStatus | undefined, reported: PodStatus | undefined): void {
    const running = latest?.state === 'running' ? latest : undefined;
    if (!running) {
      // Keep the verdict on the old instance (a pending liveness kill still needs it), stop probing.
      w.timer?.cancel();
      w.timer = undefined;
      return;
    }
    if (running.id === w.containerId) {
      if (!w.timer && !w.inFlight && !w.done) this.schedule(w, 0);
      return;
    }
    w.containerId = running.id;
    w.startedAt = running.startedAt;
    w.result = w.type === 'liveness' ? 'success' : w.type === 'readiness' ? 'failure' : undefined;
    w.successes = 0;
    w.failures = 0;
    w.done = false;
    const known = reported?.containerStatuses?.find((c) => c.name === w.container.name);
    if (known?.containerID?.endsWith(`://${running.id}`)) {
      if (w.type === 'readiness') w.result = known.ready ? 'success' : 'failure';
      if (w.type === 'startup' && known.started) {
        w.result = 'success';
        w.done = true;
      }
    }
    w.timer?.cancel();
    w.timer = undefined;
    const initialDelayMs = (w.probe.initialDelaySeconds ?? 0) * 1000;
    this.schedule(w, Math.max(0, w.startedAt + initialDelayMs - this.options.clock.now()));
  }

  private schedule(w: Worker, delayMs: number): void {
    if (w.stopped || w.done) return;
    w.timer?.cancel();
    w.timer = this.options.clock.setTimeout(() => {
      w.timer = undefined;
      void this.tick(w);
    }, delayMs);
  }

  private startupPending(w: Worker): boolean {
    if (w.type === 'startup' || !w.container.startupProbe) return false;
    const s = this.workers.get(`${w.uid}/${w.container.name}/startup`);
    return s !== undefined && !(s.containerId === w.containerId && s.result === 'success');
  }

  private async tick(w: Worker): Promise<void> {
    if (w.stopped || w.done || w.inFlight) return;
    const periodMs = (w.probe.periodSeconds ?? 10) * 1000;
    const dueAt = w.startedAt + (w.probe.initialDelaySeconds ?? 0) * 1000;
    const now = this.options.clock.now();
    if (now < dueAt) {
      this.schedule(w, dueAt - now);
      return;
    }
    if (this.startupPending(w)) {
      this.schedule(w, periodMs);
      return;
    }
    const containerId = w.containerId;
    w.inFlight = true;
    let outcome: ProbeOutcome;
    try {
      outcome = await this.options.run(w.probe, { podIP: w.podIP, container: w.container, containerId });
    } catch (err) {
      outcome = { ok: false, output: (err as Error).message };
    } finally {
      w.inFlight = false;
    }
    if (w.stopped || w.containerId !== containerId) return;
    this.options.onProbe?.(w.type, outcome.ok ? 'successful' : 'failed');
    if (!outcome.ok) this.options.onFailure(w.pod, w.container, w.type, outcome.output);
    this.record(w, outcome.ok);
    this.schedule(w, periodMs);
  }

  private record(w: Worker, ok: boolean): void {
    if (ok) {
      w.successes++;
      w.failures = 0;
    } else {
      w.failures++;
      w.successes = 0;
    }
    const successThreshold = w.type === 'readiness' ? (w.probe.successThreshold ?? 1) : 1;
    const failureThreshold = w.probe.failureThreshold ?? 3;
    let next = w.result;
    if (ok && w.successes >= successThreshold) next = 'success';
    else if (!ok && w.failures >= failureThreshold) next = 'failure';
    if (w.type !== 'readiness' && next === 'failure') w.done = true;
    if (w.type === 'startup' && next === 'success') w.done = true;
    if (next === w.result) return;
    w.result = next;
    if (w.type === 'startup' && next === 'success') {
      // Liveness and readiness were waiting for this: probe them now rather than a period later.
      for (const type of ['liveness', 'readiness'] as const) {
        const other = this.workers.get(`${w.uid}/${w.container.name}/${type}`);
        if (other && other.containerId === w.containerId && !other.inFlight) this.schedule(other, 0);
      }
    }
    this.options.logger.debug(
      { pod: w.pod.metadata.name, container: w.container.name, probe: w.type, result: next },
      'probe result changed',
    );
    this.options.onChange(w.uid);
  }
}
