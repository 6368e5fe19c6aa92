// GET /containerLogs/{namespace}/{pod}/{container}: which container instance's log a request means,
// decided from the pod status as Kubernetes' kubelet does (validateContainerLogStatus): the running
// or terminated instance, the last terminated one while the container waits to restart, and with
// previous=true the instance before the current one. Errors are the kubelet's own messages.
import type { Readable } from 'node:stream';
import type { Pod, PodStatus } from '../../api/types.js';
import type { LogOptions, Runtime } from '../runtime/types.js';

export interface LogLookup {
  pod(namespace: string, name: string): Pod | undefined;
  status(pod: Pod): PodStatus | undefined;
  runtime: Runtime;
  now(): number;
}

export type LogResult = { ok: true; stream: Readable } | { ok: false; code: 400 | 404; message: string };

function fail(code: 400 | 404, message: string): LogResult {
  return { ok: false, code, message };
}

function flag(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === 'true' || v === '1';
}

function integer(query: URLSearchParams, name: string, min: number): number | undefined | Error {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min) return new Error(`${name}: must be an integer >= ${min}`);
  return Number(v);
}

/** The runtime's log options from the query (follow, tailLines, timestamps, sinceSeconds|sinceTime, limitBytes). */
export function logOptions(query: URLSearchParams, now: number): LogOptions | Error {
  const tailLines = integer(query, 'tailLines', 0);
  const limitBytes = integer(query, 'limitBytes', 1);
  let sinceSeconds = integer(query, 'sinceSeconds', 1);
  for (const v of [tailLines, limitBytes, sinceSeconds]) if (v instanceof Error) return v;
  const sinceTime = query.get('sinceTime');
  if (sinceTime) {
    const at = Date.parse(sinceTime);
    if (!Number.isFinite(at)) return new Error(`sinceTime: invalid RFC 3339 time "${sinceTime}"`);
    sinceSeconds = Math.max(1, Math.ceil((now - at) / 1000));
  }
  const options: LogOptions = { follow: flag(query, 'follow'), timestamps: flag(query, 'timestamps') };
  if (typeof tailLines === 'number') options.tailLines = tailLines;
  if (typeof limitBytes === 'number') options.limitBytes = limitBytes;
  if (typeof sinceSeconds === 'number') options.sinceSeconds = sinceSeconds;
  return options;
}

function runtimeId(containerID: string | undefined): string | undefined {
  if (!containerID) return undefined;
  const at = containerID.indexOf('://');
  return at === -1 ? containerID : containerID.slice(at + 3);
}

/** Which instance's log: the runtime id, or the reason there is none. */
export function logContainerId(
  pod: Pod,
  status: PodStatus | undefined,
  container: string,
  previous: boolean,
): string | LogResult {
  const podName = pod.metadata.name ?? '';
  const statuses = [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? [])];
  const cs = statuses.find((s) => s.name === container);
  if (previous) {
    const id = runtimeId(cs?.lastState?.terminated?.containerID);
    return id ?? fail(400, `previous terminated container "${container}" in pod "${podName}" not found`);
  }
  const state = cs?.state ?? {};
  if (state.running)
    return (
      runtimeId(cs?.containerID) ?? fail(400, `container "${container}" in pod "${podName}" is not available`)
    );
  if (state.terminated) {
    const id = runtimeId(state.terminated.containerID ?? cs?.containerID);
    return id ?? fail(400, `container "${container}" in pod "${podName}" is terminated`);
  }
  const last = runtimeId(cs?.lastState?.terminated?.containerID);
  if (last) return last;
  const reason = state.waiting?.reason ?? 'ContainerCreating';
  return fail(400, `container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
}

export async function openContainerLog(
  lookup: LogLookup,
  namespace: string,
  podName: string,
  container: string,
  query: URLSearchParams,
): Promise<LogResult> {
  const pod = lookup.pod(namespace, podName);
  if (!pod) return fail(404, `pod "${podName}" not found in namespace "${namespace}"`);
  const names = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].map((c) => c.name);
  if (!names.includes(container)) return fail(404, `container ${container} is not valid for pod ${podName}`);
  const options = logOptions(query, lookup.now());
  if (options instanceof Error) return fail(400, options.message);
  const id = logContainerId(pod, lookup.status(pod), container, flag(query, 'previous'));
  if (typeof id !== 'string') return id;
  try {
    return { ok: true, stream: await lookup.runtime.containerLogs(id, options) };
  } catch (err) {
    return fail(404, `container "${container}" in pod "${podName}": ${(err as Error).message}`);
  }
}
