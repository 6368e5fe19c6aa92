// From the pod spec to the runtime's configs: the sandbox (identity, labels, host ports) and each
// container (image, command/args after $(VAR) expansion, env, working dir, resources, mounts), with
// a hash of the container spec in a label so a changed spec (a new image) restarts the container.
import { createHash } from 'node:crypto';
import { Quantity } from '../../api/quantity.js';
import type { Container, Pod } from '../../api/types.js';
import type {
  ContainerConfig,
  ContainerResources,
  EnvVar,
  Mount,
  PodSandboxConfig,
  PortMapping,
} from '../runtime/types.js';
import { EnvError, expandCommand } from './env.js';

/** The hash of the container spec the runtime container was made from. */
export const labelContainerHash = 'io.kubernetes.container.hash';

export function containerHash(container: Container): string {
  const relevant = {
    name: container.name,
    image: container.image,
    command: container.command,
    args: container.args,
    workingDir: container.workingDir,
    env: container.env,
    ports: container.ports,
    volumeMounts: container.volumeMounts,
    tty: container.tty,
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}

export function sandboxConfig(pod: Pod, attempt: number, hostIP: string | undefined): PodSandboxConfig {
  const portMappings: PortMapping[] = [];
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      portMappings.push({
        protocol: p.protocol ?? 'TCP',
        containerPort: p.containerPort,
        hostPort: p.hostPort,
        ...(p.hostIP ? { hostIp: p.hostIP } : hostIP ? { hostIp: hostIP } : {}),
      });
    }
  }
  return {
    uid: pod.metadata.uid ?? '',
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name ?? '',
    attempt,
    hostname: pod.spec.hostname ?? pod.metadata.name ?? '',
    labels: { ...pod.metadata.labels },
    annotations: { ...pod.metadata.annotations },
    portMappings,
  };
}

export function containerResources(container: Container): ContainerResources {
  const out: ContainerResources = {};
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  if (limits.cpu) out.cpuLimitMilli = Number(Quantity.parse(limits.cpu).milliValue());
  const cpuRequest = requests.cpu ?? limits.cpu;
  if (cpuRequest) out.cpuRequestMilli = Number(Quantity.parse(cpuRequest).milliValue());
  if (limits.memory) out.memoryLimitBytes = Number(Quantity.parse(limits.memory).value());
  return out;
}

/**
 * Host paths of the pod's volumes: hostPath volumes as given, emptyDir volumes under `emptyDirOf`
 * (a per-pod directory the kubelet owns). Other volume kinds are a config error.
 */
export function volumeMounts(
  pod: Pod,
  container: Container,
  emptyDirOf: (volume: string) => string,
): Mount[] {
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  const mounts: Mount[] = [];
  for (const m of container.volumeMounts ?? []) {
    const volume = volumes.get(m.name);
    if (!volume) throw new EnvError(`volume "${m.name}" not found in the pod spec`);
    let hostPath: string;
    if (volume.hostPath) hostPath = volume.hostPath.path;
    else if (volume.emptyDir) hostPath = emptyDirOf(volume.name);
    else throw new EnvError(`volume "${m.name}": only hostPath and emptyDir volumes are supported`);
    if (m.subPath) hostPath = `${hostPath.replace(/\/+$/, '')}/${m.subPath}`;
    mounts.push({ hostPath, containerPath: m.mountPath, readOnly: m.readOnly ?? false });
  }
  return mounts;
}

export function containerConfig(
  container: Container,
  attempt: number,
  env: EnvVar[],
  mounts: Mount[],
): ContainerConfig {
  const command = expandCommand(container.command, env);
  const args = expandCommand(container.args, env);
  return {
    name: container.name,
    image: container.image ?? '',
    ...(command ? { command } : {}),
    ...(args ? { args } : {}),
    env,
    ...(container.workingDir ? { workingDir: container.workingDir } : {}),
    mounts,
    resources: containerResources(container),
    attempt,
    labels: { [labelContainerHash]: containerHash(container) },
    ...(container.tty ? { tty: true } : {}),
  };
}
