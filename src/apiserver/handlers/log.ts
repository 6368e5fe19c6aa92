// pods/{name}/log: proxied to the kubelet of the pod's node (its InternalIP and the port it reports in
// status.daemonEndpoints.kubeletEndpoint), at the kubelet API path Kubernetes uses:
// /containerLogs/{namespace}/{pod}/{container}. The kubelet's text/plain body is streamed through
// (follow=true stays open); every failure before streaming starts is a Status.
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { ApiError, badRequest, notFound } from '../../api/errors.js';
import type { Node, Pod } from '../../api/types.js';
import { kubeletDispatcher } from '../auth/kubelet-client.js';
import { optionalInt } from '../http/query.js';
import type { RequestContext } from './context.js';
import { restOf } from './context.js';

const passedParams = [
  'follow',
  'tailLines',
  'timestamps',
  'sinceSeconds',
  'sinceTime',
  'previous',
  'limitBytes',
];

export async function handleLog(ctx: RequestContext): Promise<void> {
  const { namespace, name } = ctx.info;
  const query = ctx.query;
  for (const [param, min] of [
    ['tailLines', 0],
    ['limitBytes', 1],
    ['sinceSeconds', 1],
  ] as const) {
    optionalInt(query, param, min);
  }
  if (query.get('sinceSeconds') && query.get('sinceTime')) {
    throw badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  }
  const pod = (await restOf(ctx).store.mustGet(namespace, name)) as unknown as Pod;
  const container = containerOf(pod, query.get('container'));
  const nodeName = pod.spec.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const node = (await ctx.core.rests.get('nodes')!.store.get('', nodeName)) as unknown as Node | undefined;
  if (!node) throw notFound('nodes', nodeName);
  const address = kubeletAddress(node);
  const params = new URLSearchParams();
  for (const param of passedParams) {
    const value = query.get(param);
    if (value !== null && value !== '') params.set(param, value);
  }
  const { kubeletScheme, kubeletConnectTimeoutMs } = ctx.core.options;
  const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`;
  const url = `${kubeletScheme}://${address}${path}${params.size > 0 ? `?${params}` : ''}`;
  const abort = new AbortController();
  ctx.res.on('close', () => abort.abort());
  let upstream: Awaited<ReturnType<typeof request>>;
  try {
    upstream = await request(url, {
      signal: abort.signal,
      dispatcher: kubeletDispatcher(ctx.core.options.kubeletClientTls),
      headersTimeout: kubeletConnectTimeoutMs,
      bodyTimeout: 0,
    });
  } catch (e) {
    throw new ApiError(
      'ServiceUnavailable',
      `kubelet unreachable: ${url}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (upstream.statusCode !== 200) {
    const text = (await upstream.body.text()).trim();
    const reason =
      upstream.statusCode === 404 ? 'NotFound' : upstream.statusCode === 400 ? 'BadRequest' : 'InternalError';
    throw new ApiError(
      reason,
      text || `kubelet answered ${upstream.statusCode}`,
      undefined,
      upstream.statusCode,
    );
  }
  ctx.res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  ctx.res.flushHeaders();
  try {
    await pipeline(upstream.body, ctx.res);
  } catch {
    ctx.res.destroy();
  }
}

function containerOf(pod: Pod, requested: string | null): string {
  const names = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].map((c) => c.name);
  const name = pod.metadata.name ?? '';
  if (requested) {
    if (!names.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const main = (pod.spec.containers ?? []).map((c) => c.name);
  if (main.length === 1) return main[0]!;
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${main.join(' ')}]`);
}

function kubeletAddress(node: Node): string {
  const addresses = node.status?.addresses ?? [];
  const ip =
    addresses.find((a) => a.type === 'InternalIP')?.address ??
    addresses.find((a) => a.type === 'Hostname')?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const nodeName = node.metadata.name ?? '';
  if (!ip || !port) {
    throw new ApiError(
      'ServiceUnavailable',
      `kubelet unreachable: node ${nodeName} reports no kubelet address and port`,
    );
  }
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
