// The container runtime contract the kubelet is written against, in the spirit of Kubernetes' CRI
// (RuntimeService + ImageService) but narrow: pod sandboxes, containers, logs, exec, images and one
// event stream. Implementations: docker/ (dockerode), process/ (host processes), fake/ (records only).
// Everything a runtime creates carries the labels below, so a restarted kubelet rebuilds its state
// from one `listPodSandboxes()` + `listContainers()` and never needs a database of its own.
import type { Readable } from 'node:stream';

export type RuntimeKind = 'docker' | 'process' | 'fake';

/** Labels on every sandbox and container (values are strings, as Docker labels are). */
export const labelPodUid = 'io.kubernetes.pod.uid';
export const labelPodNamespace = 'io.kubernetes.pod.namespace';
export const labelPodName = 'io.kubernetes.pod.name';
export const labelContainerName = 'io.kubernetes.container.name';
/** The restart attempt of a container (0 for the first run), or of a sandbox. */
export const labelAttempt = 'io.kubernetes.container.restartCount';
export const labelSandboxId = 'io.kubernetes.sandbox.id';
export const labelNode = 'io.kubelite.node';
/** `podsandbox` or `container`. */
export const labelType = 'io.kubelite.type';
/** Annotations are kept as labels with this prefix (as dockershim did). */
export const annotationLabelPrefix = 'annotation.';
/** The container name sandboxes report, as Kubernetes' infra containers did. */
export const sandboxContainerName = 'POD';

export interface RuntimeVersion {
  runtimeName: RuntimeKind;
  /** The runtime's own version, e.g. the Docker engine version. */
  runtimeVersion: string;
  /** The version of the API spoken to it, e.g. Docker's API version. */
  runtimeApiVersion: string;
}

export interface ImageStatus {
  present: boolean;
  /** Content address (`sha256:…` for Docker); set when present. */
  id?: string;
  sizeBytes?: number;
  repoTags?: string[];
}

export interface PortMapping {
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  /** Absent: the port is only declared, nothing is forwarded. */
  hostPort?: number;
  /** Host address the host port listens on; default: the runtime's `hostPortAddress`. */
  hostIp?: string;
}

export interface DnsConfig {
  servers?: string[];
  searches?: string[];
  options?: string[];
}

export interface PodSandboxConfig {
  uid: string;
  namespace: string;
  name: string;
  /** Bumped by the kubelet each time it has to recreate the sandbox of a pod. */
  attempt?: number;
  hostname?: string;
  /** Pod labels (and test markers such as `kubelite.test=<run id>`), copied onto the sandbox. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  portMappings?: PortMapping[];
  dns?: DnsConfig;
}

export type PodSandboxState = 'ready' | 'notready';

export interface PodSandboxStatus {
  id: string;
  podUid: string;
  namespace: string;
  name: string;
  attempt: number;
  state: PodSandboxState;
  /** The pod IP ('' once the sandbox is stopped and its address released). */
  ip: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  portMappings: PortMapping[];
}

export interface PodSandboxFilter {
  id?: string;
  podUid?: string;
  state?: PodSandboxState;
  /** All must match. */
  labels?: Record<string, string>;
}

export interface Mount {
  hostPath: string;
  containerPath: string;
  readOnly?: boolean;
}

export interface EnvVar {
  name: string;
  value: string;
}

export interface ContainerResources {
  /** From `limits.cpu`: a CFS quota (docker). */
  cpuLimitMilli?: number;
  /** From `requests.cpu`: relative CPU shares (docker). */
  cpuRequestMilli?: number;
  /** From `limits.memory`: the cgroup memory limit (docker); exceeding it ends as OOMKilled. */
  memoryLimitBytes?: number;
}

export interface ContainerConfig {
  name: string;
  image: string;
  /** Replaces the image's entrypoint when set (Kubernetes `command`). */
  command?: string[];
  /** Replaces the image's default arguments when set (Kubernetes `args`). */
  args?: string[];
  /** Fully resolved: the kubelet has already expanded `$(VAR)` references and downward values. */
  env?: EnvVar[];
  workingDir?: string;
  mounts?: Mount[];
  resources?: ContainerResources;
  /** Restart count of this container in its pod (0 for the first run); stored as a label. */
  attempt: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  tty?: boolean;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

/** Why a container stopped, in Kubernetes' words ('Completed' | 'Error' | 'OOMKilled' | 'StartError'…). */
export type TerminationReason = 'Completed' | 'Error' | 'OOMKilled' | 'StartError' | 'Unknown';

export interface ContainerStatus {
  id: string;
  sandboxId: string;
  podUid: string;
  /** The spec container name. */
  name: string;
  attempt: number;
  state: ContainerState;
  /** Milliseconds since the epoch; 0 when it has not happened. */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  /** Set once exited. */
  exitCode?: number;
  reason?: TerminationReason;
  message?: string;
  /** The image as asked for. */
  image: string;
  /** What it resolved to (`sha256:…` for Docker). */
  imageRef: string;
  /** Host process id while running (0 otherwise); for diagnostics. */
  pid: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerFilter {
  id?: string;
  podUid?: string;
  sandboxId?: string;
  state?: ContainerState;
  labels?: Record<string, string>;
}

export interface LogOptions {
  /** Keep the stream open and send new output until the container ends or the stream is destroyed. */
  follow?: boolean;
  /** Only the last N lines (before following). */
  tailLines?: number;
  /** Prefix each line with its RFC 3339 nano timestamp and a space, as `kubectl logs --timestamps`. */
  timestamps?: boolean;
  /** Only lines written in the last N seconds. */
  sinceSeconds?: number;
  /** End the stream after this many bytes. */
  limitBytes?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  /** The command did not finish within the timeout; it was killed and exitCode is -1. */
  timedOut: boolean;
}

export type RuntimeEventType = 'created' | 'started' | 'died' | 'oom' | 'removed';

export interface RuntimeEvent {
  type: RuntimeEventType;
  /** The container, or the sandbox itself when `isSandbox`. */
  containerId: string;
  /** The sandbox the container belongs to (its own id for a sandbox). */
  sandboxId: string;
  isSandbox: boolean;
  podUid: string;
  /** Spec container name ('POD' for sandboxes). */
  containerName: string;
  attempt: number;
  /** For `died`. */
  exitCode?: number;
  /** Milliseconds since the epoch. */
  at: number;
  /** True when the runtime inferred the event from a relist after losing its event source. */
  resynced?: boolean;
}

export type RuntimeEventListener = (event: RuntimeEvent) => void;

export interface PodNetwork {
  /** Where pod IPs come from. */
  cidr: string;
  /**
   * The host's address as seen from pods: node services (the proxy's node ports) listen here.
   * Docker: the kubelite0 bridge gateway; process: the host port address (loopback).
   */
  gatewayIp: string;
}

/**
 * The runtime interface. Calls on ids that no longer exist: status calls return undefined, stop and
 * remove succeed (idempotent, as in CRI), start/exec/logs reject with RuntimeError 'NotFound'.
 */
export interface Runtime {
  readonly kind: RuntimeKind;
  readonly nodeName: string;

  version(): Promise<RuntimeVersion>;
  podNetwork(): Promise<PodNetwork>;

  /** Local lookup only: runtimes never pull. */
  imageStatus(image: string): Promise<ImageStatus>;

  runPodSandbox(config: PodSandboxConfig): Promise<{ sandboxId: string; ip: string }>;
  /** Stops every container of the sandbox (no grace: stop them first), releases host ports. */
  stopPodSandbox(sandboxId: string): Promise<void>;
  /** Removes the sandbox and every container in it. */
  removePodSandbox(sandboxId: string): Promise<void>;
  podSandboxStatus(sandboxId: string): Promise<PodSandboxStatus | undefined>;
  listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandboxStatus[]>;

  /** Rejects with RuntimeError 'ImageNotPresent' when the image is not local. */
  createContainer(sandboxId: string, config: ContainerConfig): Promise<string>;
  /** Rejects with 'StartFailed' (the status then says exited/StartError) when it cannot run. */
  startContainer(containerId: string): Promise<void>;
  /** SIGTERM, then SIGKILL once `gracePeriodMs` has passed; resolves when the container has exited. */
  stopContainer(containerId: string, gracePeriodMs: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]>;
  containerStatus(containerId: string): Promise<ContainerStatus | undefined>;

  /** stdout and stderr interleaved as plain bytes, as `kubectl logs` shows them. */
  containerLogs(containerId: string, options?: LogOptions): Promise<Readable>;
  /** Runs a command in the container (exec probes); times out to `timedOut: true`. */
  execSync(containerId: string, cmd: string[], timeoutMs: number): Promise<ExecResult>;

  /** Container and sandbox lifecycle events for this node; returns the unsubscribe function. */
  subscribe(listener: RuntimeEventListener): () => void;
  /** The same events as an async iterator (ends when `signal` aborts or the runtime closes). */
  events(signal?: AbortSignal): AsyncIterableIterator<RuntimeEvent>;

  /** Releases connections, watchers and host port listeners; leaves containers running. */
  close(): Promise<void>;
}
