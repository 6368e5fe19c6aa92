// One probe attempt, as Kubernetes' prober runs it: httpGet (HTTP status 200–399 is success; a new
// connection each time), tcpSocket (a connection that opens) or exec (exit code 0, via the runtime).
// Failures carry Kubernetes' wording, which ends up in Unhealthy events.
import { connect } from 'node:net';
import { Agent, request } from 'undici';
import type { Container, IntOrString, Probe } from '../../api/types.js';
import type { Runtime } from '../runtime/types.js';

export interface ProbeOutcome {
  ok: boolean;
  /** Why it failed (or the exec output); empty on a silent success. */
  output: string;
}

export interface ProbeTarget {
  podIP: string;
  container: Container;
  containerId: string;
}

/** Probes never reuse connections (Kubernetes disables keep-alive for them). */
const probeAgent = new Agent({ pipelining: 0, keepAliveTimeout: 1, connections: null });

const userAgent = 'kube-probe/1.32';

/** A named port of the container, or the number itself. */
export function resolvePort(port: IntOrString, container: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`cannot find port "${port}" in container ${container.name}`);
  return named.containerPort;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connect: connection refused';
  if (code === 'EHOSTUNREACH') return 'connect: no route to host';
  if (code === 'ENETUNREACH') return 'connect: network is unreachable';
  if (code === 'ECONNRESET') return 'read: connection reset by peer';
  return e.message;
}

export async function httpProbe(
  probe: NonNullable<Probe['httpGet']>,
  target: ProbeTarget,
  timeoutMs: number,
) {
  const host = probe.host || target.podIP;
  const port = resolvePort(probe.port, target.container);
  const scheme = (probe.scheme ?? 'HTTP').toLowerCase();
  const path = probe.path ? (probe.path.startsWith('/') ? probe.path : `/${probe.path}`) : '/';
  const url = `${scheme}://${hostPort(host, port)}${path}`;
  const headers: Record<string, string> = { 'user-agent': userAgent, accept: '*/*' };
  for (const h of probe.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
  try {
    const response = await request(url, {
      method: 'GET',
      headers,
      dispatcher: probeAgent,
      reset: true,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    let body = '';
    for await (const chunk of response.body) {
      if (body.length < 10_240) body += String(chunk);
    }
    const code = response.statusCode;
    if (code >= 200 && code < 400) return { ok: true, output: body.slice(0, 10_240) };
    return { ok: false, output: `HTTP probe failed with statuscode: ${code}` };
  } catch (err) {
    const name = (err as Error).name;
    if (
      name === 'TimeoutError' ||
      name === 'AbortError' ||
      (err as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT'
    ) {
      return {
        ok: false,
        output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      };
    }
    return { ok: false, output: `Get "${url}": dial tcp ${hostPort(host, port)}: ${errorText(err)}` };
  }
}

export function tcpProbe(
  probe: NonNullable<Probe['tcpSocket']>,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const host = probe.host || target.podIP;
  const port = resolvePort(probe.port, target.container);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, output: `dial tcp ${hostPort(host, port)}: i/o timeout` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: true, output: '' });
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, output: `dial tcp ${hostPort(host, port)}: ${errorText(err)}` });
    });
  });
}

export async function execProbe(
  probe: NonNullable<Probe['exec']>,
  target: ProbeTarget,
  runtime: Runtime,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const command = probe.command ?? [];
  try {
    const result = await runtime.execSync(target.containerId, command, timeoutMs);
    const output = Buffer.concat([result.stdout, result.stderr]).toString().slice(0, 10_240);
    if (result.timedOut) {
      return { ok: false, output: `command ${JSON.stringify(command)} timed out` };
    }
    return { ok: result.exitCode === 0, output };
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  }
}

/** Runs the probe's handler once. */
export async function runProbe(probe: Probe, target: ProbeTarget, runtime: Runtime): Promise<ProbeOutcome> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.httpGet) return await httpProbe(probe.httpGet, target, timeoutMs);
    if (probe.tcpSocket) return await tcpProbe(probe.tcpSocket, target, timeoutMs);
    if (probe.exec) return await execProbe(probe.exec, target, runtime, timeoutMs);
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  }
  return { ok: false, output: 'missing probe handler' };
}
