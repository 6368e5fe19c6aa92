// Between the runtime contract and Docker's API shapes: container names, create options for infra
// and spec containers, and statuses from `docker inspect`.
import type Dockerode from 'dockerode';
import { attemptOf, splitLabels } from '../labels.js';
import {
  type ContainerConfig,
  type ContainerResources,
  type ContainerState,
  type ContainerStatus,
  labelContainerName,
  labelNode,
  labelPodName,
  labelPodNamespace,
  labelPodUid,
  labelSandboxId,
  labelType,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type PortMapping,
  type TerminationReason,
} from '../types.js';

/** Host port mappings of a sandbox, kept as a label so a restarted runtime can reopen them. */
export const labelPortMappings = 'io.kubelite.port-mappings';

const cpuPeriodUs = 100_000;

/** Docker names as dockershim made them: k8s_<container>_<pod>_<namespace>_<uid>_<attempt>. */
export function dockerName(
  container: string,
  pod: string,
  namespace: string,
  uid: string,
  attempt: number,
): string {
  return ['k8s', container, pod, namespace, uid, attempt].join('_').replace(/[^a-zA-Z0-9_.-]/g, '-');
}

export function sandboxCreateOptions(
  config: PodSandboxConfig,
  labels: Record<string, string>,
  image: string,
  network: string,
): Dockerode.ContainerCreateOptions {
  const ports = (config.portMappings ?? []).filter((m) => m.hostPort !== undefined);
  return {
    name: dockerName('POD', config.name, config.namespace, config.uid, config.attempt ?? 0),
    Image: image,
    Hostname: config.hostname ?? config.name,
    Labels: ports.length > 0 ? { ...labels, [labelPortMappings]: JSON.stringify(ports) } : labels,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      NetworkMode: network,
      // Only so that the pause program can drop the default route; spec containers do not get it.
      CapAdd: ['NET_ADMIN'],
      IpcMode: 'shareable',
      RestartPolicy: { Name: 'no' },
      ...(config.dns?.servers?.length ? { Dns: config.dns.servers } : {}),
      ...(config.dns?.searches?.length ? { DnsSearch: config.dns.searches } : {}),
      ...(config.dns?.options?.length ? { DnsOptions: config.dns.options } : {}),
    },
  };
}

export function containerCreateOptions(
  sandbox: { id: string; labels: Record<string, string> },
  config: ContainerConfig,
  labels: Record<string, string>,
): Dockerode.ContainerCreateOptions {
  const l = sandbox.labels;
  return {
    name: dockerName(
      config.name,
      l[labelPodName] ?? '',
      l[labelPodNamespace] ?? '',
      l[labelPodUid] ?? '',
      config.attempt,
    ),
    Image: config.image,
    // Kubernetes semantics: `command` replaces the entrypoint (and with it the image's CMD), `args`
    // replace CMD. Docker drops the image CMD by itself when Entrypoint is given.
    ...(config.command ? { Entrypoint: config.command } : {}),
    ...(config.args ? { Cmd: config.args } : {}),
    Env: (config.env ?? []).map((e) => `${e.name}=${e.value}`),
    ...(config.workingDir ? { WorkingDir: config.workingDir } : {}),
    Labels: labels,
    Tty: config.tty ?? false,
    HostConfig: {
      NetworkMode: `container:${sandbox.id}`,
      IpcMode: `container:${sandbox.id}`,
      RestartPolicy: { Name: 'no' },
      Binds: (config.mounts ?? []).map((m) => `${m.hostPath}:${m.containerPath}${m.readOnly ? ':ro' : ''}`),
      ...resourceOptions(config.resources),
    },
  };
}

export function resourceOptions(r: ContainerResources | undefined): Dockerode.HostConfig {
  const out: Dockerode.HostConfig = {};
  if (r?.cpuLimitMilli !== undefined && r.cpuLimitMilli > 0) {
    out.CpuPeriod = cpuPeriodUs;
    out.CpuQuota = Math.max(1000, Math.round((r.cpuLimitMilli * cpuPeriodUs) / 1000));
  }
  if (r?.cpuRequestMilli !== undefined)
    out.CpuShares = Math.max(2, Math.floor((r.cpuRequestMilli * 1024) / 1000));
  if (r?.memoryLimitBytes !== undefined && r.memoryLimitBytes > 0) {
    out.Memory = r.memoryLimitBytes;
    out.MemorySwap = r.memoryLimitBytes; // no swap on top: over the limit means OOMKilled
  }
  return out;
}

/** Docker writes "0001-01-01T00:00:00Z" for times that have not happened. */
export function dockerTime(value: string | undefined): number {
  const ms = value ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** `later`, moved up to `earlier` when both are set (0 = unset) and it is before it. */
export function ordered(earlier: number, later: number): number {
  return earlier > 0 && later > 0 && later < earlier ? earlier : later;
}

/** Is this inspected container one of ours, of the given kind, on our node? */
export function isOurs(
  info: Dockerode.ContainerInspectInfo,
  nodeName: string,
  type: 'podsandbox' | 'container',
) {
  const labels = info.Config.Labels ?? {};
  return labels[labelNode] === nodeName && labels[labelType] === type;
}

export function containerStatusFrom(info: Dockerode.ContainerInspectInfo): ContainerStatus {
  const stored = info.Config.Labels ?? {};
  const { labels, annotations } = splitLabels(stored);
  const s = info.State;
  const startError = s.Status === 'created' && Boolean(s.Error);
  const state: ContainerState = startError ? 'exited' : stateOf(s.Status);
  // Docker stamps these from different places (a container that exits at once can show FinishedAt a
  // few ms before StartedAt); a status keeps created ≤ started ≤ finished, as Kubernetes reports it.
  const createdAt = dockerTime(info.Created);
  const startedAt = ordered(createdAt, dockerTime(s.StartedAt));
  const finishedAt = ordered(startedAt, dockerTime(s.FinishedAt));
  const status: ContainerStatus = {
    id: info.Id,
    sandboxId: stored[labelSandboxId] ?? '',
    podUid: stored[labelPodUid] ?? '',
    name: stored[labelContainerName] ?? '',
    attempt: attemptOf(stored),
    state,
    createdAt,
    startedAt,
    finishedAt,
    image: info.Config.Image,
    imageRef: info.Image,
    pid: state === 'running' ? s.Pid : 0,
    labels,
    annotations,
  };
  if (state === 'exited') {
    status.exitCode = s.ExitCode;
    status.reason = startError ? 'StartError' : reasonOf(s.OOMKilled, s.ExitCode);
    if (s.Error) status.message = s.Error;
  }
  return status;
}

export function sandboxStatusFrom(info: Dockerode.ContainerInspectInfo, network: string): PodSandboxStatus {
  const stored = info.Config.Labels ?? {};
  const { labels, annotations } = splitLabels(stored);
  delete labels[labelPortMappings];
  const running = info.State.Running;
  return {
    id: info.Id,
    podUid: stored[labelPodUid] ?? '',
    namespace: stored[labelPodNamespace] ?? '',
    name: stored[labelPodName] ?? '',
    attempt: attemptOf(stored),
    state: running ? 'ready' : 'notready',
    ip: running ? (info.NetworkSettings.Networks?.[network]?.IPAddress ?? '') : '',
    createdAt: dockerTime(info.Created),
    labels,
    annotations,
    portMappings: portMappingsOf(stored),
  };
}

export function portMappingsOf(labels: Record<string, string>): PortMapping[] {
  const text = labels[labelPortMappings];
  if (!text) return [];
  try {
    return JSON.parse(text) as PortMapping[];
  } catch {
    return [];
  }
}

function stateOf(status: string): ContainerState {
  switch (status) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    case 'exited':
    case 'dead':
    case 'removing':
      return 'exited';
    default:
      return 'unknown';
  }
}

function reasonOf(oomKilled: boolean, exitCode: number): TerminationReason {
  if (oomKilled) return 'OOMKilled';
  return exitCode === 0 ? 'Completed' : 'Error';
}
