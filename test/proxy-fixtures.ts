// Shared fixtures of the proxy suites: backends on 127.0.0.1:0, v1 Service/Endpoints builders, clients.
import { createHash } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach } from 'vitest';
import type { Endpoints, Service } from '../src/api/types.js';
import { lastChangeTriggerTimeAnnotation } from '../src/proxy/config.js';
import { createProxier, type Proxier, type ProxierOptions } from '../src/proxy/proxier.js';

/** Cleanups run after each test, last registered first (also when the test failed). */
export function useCleanups(): Array<() => Promise<void> | void> {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}

export interface Backend {
  name: string;
  port: number;
  server: Server;
  connections: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/** A TCP backend: answers each connection with `name\n`, then echoes; `onSocket` may take over. */
export async function startBackend(name: string, onSocket?: (socket: Socket) => void): Promise<Backend> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    backend.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (onSocket) return onSocket(socket);
    socket.write(`${name}\n`);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const backend: Backend = {
    name,
    port,
    server,
    connections: 0,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return backend;
}

export interface ServiceOptions {
  namespace?: string;
  port?: number;
  mode?: string;
  affinityTimeoutSeconds?: number;
  balancing?: string;
}

export function makeService(name: string, options: ServiceOptions = {}): Service {
  const annotations: Record<string, string> = {};
  if (options.mode) annotations['kubelite.io/proxy-mode'] = options.mode;
  if (options.balancing) annotations['kubelite.io/proxy-balancing'] = options.balancing;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: options.namespace ?? 'default', annotations },
    spec: {
      clusterIP: '127.0.0.1',
      ports: [{ name: 'main', port: options.port ?? 0, protocol: 'TCP' }],
      sessionAffinity: options.affinityTimeoutSeconds !== undefined ? 'ClientIP' : 'None',
      sessionAffinityConfig:
        options.affinityTimeoutSeconds !== undefined
          ? { clientIP: { timeoutSeconds: options.affinityTimeoutSeconds } }
          : undefined,
    },
  };
}

export function makeEndpoints(
  name: string,
  ports: number[],
  changedAtMs?: number,
  namespace = 'default',
): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name,
      namespace,
      annotations:
        changedAtMs !== undefined
          ? { [lastChangeTriggerTimeAnnotation]: new Date(changedAtMs).toISOString() }
          : {},
    },
    subsets: ports.map((port) => ({ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'main', port }] })),
  };
}

export function newProxier(options: Partial<ProxierOptions> = {}): { proxier: Proxier; registry: Registry } {
  const registry = new Registry();
  const proxier = createProxier({ registry, autoSync: false, ...options });
  return { proxier, registry };
}

/** The listener port of the single port `main` of service `name`. */
export function servicePort(proxier: Proxier, name: string, namespace = 'default'): number {
  const address = proxier.addresses(`${namespace}/${name}:main`)[0];
  if (!address) throw new Error(`service ${name} has no listener`);
  return address.port;
}

/** Connects, reads the backend's first line (its name), and closes. Rejects on error or early close. */
export function whoAnswers(port: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => socket.destroy(new Error('timeout')), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      const nl = data.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        socket.end();
        resolve(data.slice(0, nl));
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`closed before an answer (${JSON.stringify(data)})`));
    });
  });
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function counts(names: string[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const n of names) result[n] = (result[n] ?? 0) + 1;
  return result;
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = await registry.getSingleMetric(name)?.get();
  let total = 0;
  for (const v of metric?.values ?? []) {
    if (Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val)) total += v.value;
  }
  return total;
}
