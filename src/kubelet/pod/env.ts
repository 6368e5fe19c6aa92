// A container's environment as Kubernetes builds it (kubelet_pods.go makeEnvironmentVariables):
// the service variables first, then the container's `env` in order, each value expanded with
// $(VAR) against what came before; `valueFrom` resolved from the downward API (fieldRef,
// resourceFieldRef). Sources kubelite has no objects for (ConfigMaps, Secrets) fail the container
// with CreateContainerConfigError, as a missing object does in Kubernetes.
import { Quantity } from '../../api/quantity.js';
import type { EnvVar as ApiEnvVar, Container, Pod, ResourceList } from '../../api/types.js';
import type { EnvVar } from '../runtime/types.js';
import { expandVars } from './expand.js';

export interface DownwardValues {
  hostIP: string;
  podIP: string;
  /** Node allocatable: what resourceFieldRef reports for an unset limit. */
  nodeAllocatable: ResourceList;
}

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

/** Resolves metadata.name, metadata.labels['x'], status.podIP, … for env and downward values. */
export function fieldRefValue(pod: Pod, path: string, values: DownwardValues): string {
  const meta = pod.metadata;
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) {
    const map = keyed[1] === 'labels' ? meta.labels : meta.annotations;
    return map?.[keyed[2]!] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return values.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return values.podIP;
    default:
      throw new EnvError(`unsupported fieldPath "${path}"`);
  }
}

/** `key="value"` lines sorted by key, as the downward API writes label and annotation maps. */
function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map![k])}`)
    .join('\n');
}

/** limits.cpu, requests.memory, … divided by the divisor and rounded up, as Kubernetes reports them. */
export function resourceFieldValue(
  container: Container,
  resource: string,
  divisor: string | undefined,
  allocatable: ResourceList,
): string {
  const [kind, name] = resource.split('.', 2) as [string, string | undefined];
  if ((kind !== 'limits' && kind !== 'requests') || !name) {
    throw new EnvError(`unsupported resource "${resource}"`);
  }
  const set = container.resources?.[kind]?.[name];
  const fallback = kind === 'limits' ? allocatable[name] : (container.resources?.limits?.[name] ?? '0');
  const quantity = Quantity.parse(set ?? fallback ?? '0');
  const by = Quantity.parse(divisor && divisor !== '0' ? divisor : '1');
  const numerator = quantity.milliValue();
  const denominator = by.milliValue();
  if (denominator <= 0n) return '0';
  return String((numerator + denominator - 1n) / denominator);
}

/**
 * The final environment of `container`: `serviceVars` first (a container's own variables of the
 * same name win), then `env` in order with $(VAR) expansion against everything defined before.
 */
export function containerEnv(
  pod: Pod,
  container: Container,
  serviceVars: readonly EnvVar[],
  values: DownwardValues,
): EnvVar[] {
  const defined = new Map<string, string>();
  for (const v of serviceVars) defined.set(v.name, v.value);
  const ownNames = new Set<string>();
  const own: EnvVar[] = [];
  for (const item of container.env ?? []) {
    const value = envValue(pod, container, item, values, defined);
    if (value === undefined) continue;
    defined.set(item.name, value);
    if (ownNames.has(item.name)) {
      const at = own.findIndex((v) => v.name === item.name);
      own[at] = { name: item.name, value };
    } else {
      ownNames.add(item.name);
      own.push({ name: item.name, value });
    }
  }
  return [...serviceVars.filter((v) => !ownNames.has(v.name)), ...own];
}

function envValue(
  pod: Pod,
  container: Container,
  item: ApiEnvVar,
  values: DownwardValues,
  defined: Map<string, string>,
): string | undefined {
  const from = item.valueFrom;
  if (!from) return expandVars(item.value ?? '', (name) => defined.get(name));
  if (from.fieldRef) return fieldRefValue(pod, from.fieldRef.fieldPath, values);
  if (from.resourceFieldRef) {
    const ref = from.resourceFieldRef;
    const target = ref.containerName
      ? pod.spec.containers.find((c) => c.name === ref.containerName)
      : container;
    if (!target) throw new EnvError(`container "${ref.containerName}" not found for resourceFieldRef`);
    return resourceFieldValue(target, ref.resource, ref.divisor, values.nodeAllocatable);
  }
  if (from.configMapKeyRef) {
    if (from.configMapKeyRef.optional) return undefined;
    throw new EnvError(`configmap "${from.configMapKeyRef.name ?? ''}" not found`);
  }
  if (from.secretKeyRef) {
    if (from.secretKeyRef.optional) return undefined;
    throw new EnvError(`secret "${from.secretKeyRef.name ?? ''}" not found`);
  }
  return undefined;
}

/** command/args with $(VAR) expanded against the final environment. */
export function expandCommand(words: string[] | undefined, env: readonly EnvVar[]): string[] | undefined {
  if (!words) return undefined;
  const map = new Map(env.map((v) => [v.name, v.value]));
  return words.map((w) => expandVars(w, (name) => map.get(name)));
}
