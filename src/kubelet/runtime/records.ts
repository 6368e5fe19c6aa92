// Statuses, filters and events for runtimes that keep their own records of sandboxes and
// containers (process, fake), so both answer exactly alike.
import { attemptOf, matchesLabels, sandboxLabels, splitLabels } from './labels.js';
import {
  type ContainerConfig,
  type ContainerFilter,
  type ContainerState,
  type ContainerStatus,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type PodSandboxState,
  type PodSandboxStatus,
  type RuntimeEvent,
  type RuntimeEventType,
  sandboxContainerName,
  type TerminationReason,
} from './types.js';

export interface SandboxFacts {
  id: string;
  config: PodSandboxConfig;
  state: PodSandboxState;
  ip: string;
  createdAt: number;
}

export interface ContainerFacts {
  id: string;
  sandboxId: string;
  podUid: string;
  config: ContainerConfig;
  /** Stored labels, annotations under the `annotation.` prefix. */
  labels: Record<string, string>;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode?: number;
  reason?: TerminationReason;
  message?: string;
  pid: number;
  imageRef: string;
}

export function sandboxStatusOf(nodeName: string, s: SandboxFacts): PodSandboxStatus {
  const { labels, annotations } = splitLabels(sandboxLabels(nodeName, s.config));
  return {
    id: s.id,
    podUid: s.config.uid,
    namespace: s.config.namespace,
    name: s.config.name,
    attempt: s.config.attempt ?? 0,
    state: s.state,
    ip: s.state === 'ready' ? s.ip : '',
    createdAt: s.createdAt,
    labels,
    annotations,
    portMappings: s.config.portMappings ?? [],
  };
}

export function containerStatusOf(c: ContainerFacts): ContainerStatus {
  const { labels, annotations } = splitLabels(c.labels);
  return {
    id: c.id,
    sandboxId: c.sandboxId,
    podUid: c.podUid,
    name: c.config.name,
    attempt: attemptOf(c.labels),
    state: c.state,
    createdAt: c.createdAt,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    ...(c.exitCode !== undefined ? { exitCode: c.exitCode, reason: c.reason } : {}),
    ...(c.message !== undefined ? { message: c.message } : {}),
    image: c.config.image,
    imageRef: c.imageRef,
    pid: c.state === 'running' ? c.pid : 0,
    labels,
    annotations,
  };
}

export function sandboxMatches(s: PodSandboxStatus, filter: PodSandboxFilter): boolean {
  return (
    (!filter.id || s.id === filter.id) &&
    (!filter.podUid || s.podUid === filter.podUid) &&
    (!filter.state || s.state === filter.state) &&
    matchesLabels(s.labels, filter.labels)
  );
}

export function containerMatches(c: ContainerStatus, filter: ContainerFilter): boolean {
  return (
    (!filter.id || c.id === filter.id) &&
    (!filter.sandboxId || c.sandboxId === filter.sandboxId) &&
    (!filter.podUid || c.podUid === filter.podUid) &&
    (!filter.state || c.state === filter.state) &&
    matchesLabels(c.labels, filter.labels)
  );
}

export function sandboxEvent(
  type: RuntimeEventType,
  s: { id: string; config: PodSandboxConfig },
  at: number,
  exitCode?: number,
): RuntimeEvent {
  return {
    type,
    containerId: s.id,
    sandboxId: s.id,
    isSandbox: true,
    podUid: s.config.uid,
    containerName: sandboxContainerName,
    attempt: s.config.attempt ?? 0,
    ...(exitCode !== undefined ? { exitCode } : {}),
    at,
  };
}

export function containerEvent(
  type: RuntimeEventType,
  c: { id: string; sandboxId: string; podUid: string; config: ContainerConfig; exitCode?: number },
  at: number,
): RuntimeEvent {
  return {
    type,
    containerId: c.id,
    sandboxId: c.sandboxId,
    isSandbox: false,
    podUid: c.podUid,
    containerName: c.config.name,
    attempt: c.config.attempt,
    ...(type === 'died' && c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
    at,
  };
}
