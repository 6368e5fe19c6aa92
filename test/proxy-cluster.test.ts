// `kubelite proxy` wired end to end, in process: a live apiserver (node ports for every service), the
// controller-manager's endpoints controller, and the proxy server following services and endpoints
// through informers. Backends are TCP servers on loopback "pod IPs" of pods whose status the test sets
// through the status subresource, as a kubelet would. Traffic goes to clusterIP:port and to
// nodeAddress:nodePort. Each run takes its own loopback ranges and node port window, so suites and
// clusters running beside it never meet its addresses.
import { randomInt, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Pod, Service } from '../src/api/types.js';
import { createClient, type KubeClient } from '../src/client/index.js';
import { createControllerManager } from '../src/controller/manager.js';
import { makePod, makeService } from '../src/controller/testing/objects.js';
import { createKubelet, type Kubelet } from '../src/kubelet/index.js';
import { createRuntime } from '../src/kubelet/runtime/index.js';
import type { Runtime } from '../src/kubelet/runtime/types.js';
import { createRegistry } from '../src/metrics/registry.js';
import { lastChangeTriggerTimeAnnotation } from '../src/proxy/config.js';
import { createProxyServer, type ProxyServer, type ProxyServerOptions } from '../src/proxy/proxy-server.js';
import { setPodStatus } from './controller-fixtures.js';
import { type StartedApiServer, startApiServer } from './harness/apiserver.js';
import { startComponent } from './harness/component.js';
import { createTestNetns, type TestNetns } from './harness/netns.js';

const second = randomInt(200, 236);
const third = randomInt(0, 250);
/** Pod IPs 127.<second>.<third>.N, service cluster IPs 127.<second+10>.<third>.0/24, nodes 127.<second+20>.<third>.N. */
const podIp = (n: number) => `127.${second}.${third}.${n}`;
const nodeAddress = (n: number) => `127.${second + 20}.${third}.${n}`;
const clusterRange = `127.${second + 10}.${third}.0/24`;
const nodePortBase = 30000 + randomInt(0, 54) * 50;
const backendPort = 8080;
const servicePort = 7080;

/** Connects, reads the first line, closes: the backend's name, or `error:CODE` / `closed`. */
function ask(host: string, port: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = '';
    const finish = (result: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish('error:timeout'), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      const nl = data.indexOf('\n');
      if (nl >= 0) finish(data.slice(0, nl));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(`error:${err.code ?? err.message}`));
    socket.on('close', () => finish(data ? `partial:${data}` : 'closed'));
  });
}

async function askMany(host: string, port: number, n: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < n; i++) names.push(await ask(host, port));
  return names;
}

function tally(names: string[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const n of names) result[n] = (result[n] ?? 0) + 1;
  return result;
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A "pod": a TCP server on its pod IP answering its name. */
async function startBackend(name: string, ip: string): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.end(`${name}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(backendPort, ip, () => resolve());
  });
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  return server;
}

let api: StartedApiServer;
let client: KubeClient;
const controllerStop = new AbortController();
let controllersDone: Promise<void>;
const backends: Server[] = [];

beforeAll(async () => {
  api = await startApiServer({
    nodePortsForAllServices: true,
    serviceClusterIPRange: clusterRange,
    serviceNodePortRange: `${nodePortBase}-${nodePortBase + 49}`,
  });
  client = createClient({ server: api.url });
  const manager = createControllerManager({
    client,
    controllers: { replication: false, endpoints: true, nodeLifecycle: false, garbageCollector: false },
  });
  controllersDone = manager.run(controllerStop.signal);
  for (const [i, name] of ['a', 'b', 'c', 'd', 'e', 'f'].entries()) {
    backends.push(await startBackend(name, podIp(i + 1)));
  }
});

afterAll(async () => {
  controllerStop.abort();
  await controllersDone;
  for (const b of backends) await new Promise((r) => b.close(r));
  await client?.close();
  await api?.stop();
});

const proxies: ProxyServer[] = [];
const created: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) await p.close();
  for (const remove of created.splice(0).reverse()) await remove().catch(() => {});
});

/** Starts a proxy and waits until it is ready; a proxy that is not ready in time fails with its warnings. */
async function startProxy(options: Partial<ProxyServerOptions> = {}): Promise<ProxyServer> {
  const warnings: string[] = [];
  const proxy = createProxyServer({
    client,
    nodeName: 'node-1',
    nodeAddress: nodeAddress(1),
    metricsPort: 0,
    registry: createRegistry({ component: 'proxy' }),
    logger: pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line.trim()) }),
    ...options,
  });
  proxies.push(proxy);
  void proxy.run(new AbortController().signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`proxy not ready in 15 s:\n${warnings.join('\n')}`)), 15_000);
  });
  try {
    await Promise.race([proxy.ready(), late]);
  } finally {
    clearTimeout(timer);
  }
  return proxy;
}

/** A pod labelled app=<app> with pod IP podIp(n) (backend "abcdef"[n-1]), Running, ready or not. */
async function addPod(app: string, n: number, ready: boolean): Promise<Pod> {
  const name = `${app}-${'abcdef'[n - 1]}`;
  const pod = await client.pods.create(
    'default',
    makePod(name, { labels: { app }, ports: [{ name: 'web', containerPort: backendPort, protocol: 'TCP' }] }),
  );
  created.push(() => client.pods.delete('default', name, { gracePeriodSeconds: 0 }));
  return setReady(pod, ready, podIp(n));
}

function setReady(pod: Pod, ready: boolean, ip: string): Promise<Pod> {
  return setPodStatus(client, pod, ready, ip);
}

/** Waits until the endpoints controller has published `count` ready addresses for the service. */
async function endpointsReady(service: string, count: number): Promise<void> {
  await until(
    async () => {
      const e = await client.endpoints.get('default', service).catch(() => undefined);
      return (e?.subsets ?? []).flatMap((s) => s.addresses ?? []).length;
    },
    (n) => n === count,
    `${count} ready endpoints of ${service}`,
  );
}

async function addService(name: string, app = name): Promise<Service> {
  const service = await client.services.create(
    'default',
    makeService(name, {
      selector: { app },
      ports: [{ name: 'http', port: servicePort, targetPort: 'web', protocol: 'TCP' }],
    }),
  );
  created.push(() => client.services.delete('default', name));
  return service;
}

const addressOf = (s: Service) => ({ ip: s.spec.clusterIP!, nodePort: s.spec.ports![0]!.nodePort! });

describe('kubelite proxy in a live cluster', () => {
  it('balances clusterIP:port and nodeAddress:nodePort round-robin over the ready pods', async () => {
    const service = await addService('web');
    const { ip, nodePort } = addressOf(service);
    expect(service.spec.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(nodePort).toBeGreaterThanOrEqual(nodePortBase); // nodePortsForAllServices
    for (const n of [1, 2, 3]) await addPod('web', n, true);
    await startProxy();

    await until(
      () => askMany(ip, servicePort, 3),
      (r) => r.sort().join() === 'a,b,c',
      'three backends',
    );
    expect(tally(await askMany(ip, servicePort, 30))).toEqual({ a: 10, b: 10, c: 10 });
    expect(tally(await askMany(nodeAddress(1), nodePort, 30))).toEqual({ a: 10, b: 10, c: 10 });
  });

  it('follows scaling and readiness within milliseconds, measuring network programming latency', async ({
    task,
  }) => {
    const { ip } = addressOf(await addService('scale'));
    const pods = [await addPod('scale', 1, true), await addPod('scale', 2, true)];
    const proxy = await startProxy();
    await until(
      () => askMany(ip, servicePort, 2),
      (r) => r.sort().join() === 'a,b',
      'two backends',
    );
    const histogramCount = async () =>
      (await proxy.registry.getSingleMetricAsString('kubeproxy_network_programming_duration_seconds')).match(
        /_count\{[^}]*\} (\d+)/,
      )?.[1];
    const before = Number(await histogramCount());

    // Scale up: the first connection the new pod answers, timed from the Endpoints change.
    pods.push(await addPod('scale', 3, true));
    await until(
      () => ask(ip, servicePort),
      (r) => r === 'c',
      'the new pod answering',
    );
    const routedAt = Date.now();
    const endpoints = await client.endpoints.get('default', 'scale');
    const changedAt = Date.parse(endpoints.metadata.annotations![lastChangeTriggerTimeAnnotation]!);
    const programmingMs = routedAt - changedAt;
    expect(programmingMs).toBeGreaterThanOrEqual(0);
    // The figure itself is for reports (JSON reporter: meta.networkProgrammingMs), never asserted.
    Object.assign(task.meta, { networkProgrammingMs: programmingMs });
    expect(Number(await histogramCount())).toBeGreaterThan(before);
    expect(tally(await askMany(ip, servicePort, 9))).toEqual({ a: 3, b: 3, c: 3 });

    // Readiness flip: b leaves the rotation, then comes back.
    await setReady(pods[1]!, false, podIp(2));
    await until(
      () => askMany(ip, servicePort, 4),
      (r) => !r.includes('b'),
      'b out of rotation',
    );
    expect(tally(await askMany(ip, servicePort, 8))).toEqual({ a: 4, c: 4 });
    await setReady(pods[1]!, true, podIp(2));
    await until(
      () => askMany(ip, servicePort, 3),
      (r) => r.includes('b'),
      'b back in rotation',
    );

    // Scale down: a deleted pod gets no more connections.
    await client.pods.delete('default', 'scale-a', { gracePeriodSeconds: 0 });
    await until(
      () => askMany(ip, servicePort, 4),
      (r) => !r.includes('a'),
      'a gone',
    );
    expect(tally(await askMany(ip, servicePort, 8))).toEqual({ b: 4, c: 4 });
  });

  it('refuses at once without endpoints, and closes a deleted service while the others keep serving', async () => {
    const empty = addressOf(await addService('empty', 'nobody'));
    const keep = addressOf(await addService('keep'));
    const gone = addressOf(await addService('gone'));
    await addPod('keep', 4, true);
    await addPod('gone', 5, true);
    await endpointsReady('keep', 1);
    await startProxy();

    // A served port without endpoints: the connection is reset, no byte comes back.
    expect(await ask(empty.ip, servicePort)).toMatch(/^error:ECONNRESET$|^closed$/);
    expect(await ask(nodeAddress(1), empty.nodePort)).toMatch(/^error:ECONNRESET$|^closed$/);

    await until(
      () => ask(gone.ip, servicePort),
      (r) => r === 'e',
      'gone served',
    );
    expect(await ask(keep.ip, servicePort)).toBe('d');
    await client.services.delete('default', 'gone');
    await until(
      () => ask(gone.ip, servicePort),
      (r) => r === 'error:ECONNREFUSED',
      'gone closed',
    );
    expect(await ask(nodeAddress(1), gone.nodePort)).toBe('error:ECONNREFUSED');
    expect(await askMany(keep.ip, servicePort, 3)).toEqual(['d', 'd', 'd']);
    expect(await ask(nodeAddress(1), keep.nodePort)).toBe('d');
  });

  it('re-programs every service after a restart, ready only once it serves them', async () => {
    const one = addressOf(await addService('one'));
    const two = addressOf(await addService('two'));
    await addPod('one', 1, true);
    await addPod('two', 2, true);
    await endpointsReady('one', 1);
    await endpointsReady('two', 1);
    const first = await startProxy();
    await until(
      () => ask(two.ip, servicePort),
      (r) => r === 'b',
      'two served',
    );
    await first.close();
    // The native engine closes its listeners on its own thread, a moment after close() resolves.
    await until(
      () => ask(one.ip, servicePort),
      (r) => r === 'error:ECONNREFUSED',
      'one closed',
    );
    await until(
      () => ask(nodeAddress(1), two.nodePort),
      (r) => r === 'error:ECONNREFUSED',
      'two closed',
    );

    const second = await startProxy();
    expect(second.isReady()).toBe(true);
    // Ready means programmed: no waiting here.
    expect(await ask(one.ip, servicePort)).toBe('a');
    expect(await ask(two.ip, servicePort)).toBe('b');
    expect(await ask(nodeAddress(1), one.nodePort)).toBe('a');
  });

  it('serves /metrics, /healthz and /readyz', async () => {
    const { ip } = addressOf(await addService('metered'));
    await addPod('metered', 6, true);
    const proxy = await startProxy();
    await until(
      () => ask(ip, servicePort),
      (r) => r === 'f',
      'metered served',
    );
    expect(proxy.metricsUrl).toMatch(new RegExp(`^http://${nodeAddress(1).replaceAll('.', '\\.')}:\\d+$`));
    expect((await fetch(`${proxy.metricsUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${proxy.metricsUrl}/healthz`)).status).toBe(200);
    const text = await (await fetch(`${proxy.metricsUrl}/metrics`)).text();
    expect(text).toMatch(
      /^kubelite_proxy_connections_total\{service="default\/metered:http",mode="tcp"[^}]*\} [1-9]/m,
    );
    expect(text).toMatch(/^kubelite_proxy_endpoints\{service="default\/metered:http",mode="tcp"[^}]*\} 1$/m);
    expect(text).toMatch(/^kubeproxy_network_programming_duration_seconds_count\{[^}]*\} [1-9]/m);
    expect(text).toMatch(/^kubeproxy_sync_proxy_rules_duration_seconds_count\{[^}]*\} [1-9]/m);
  });

  it('leaves cluster IPs to the first proxy of the machine; the others serve node ports, also on extra addresses', async () => {
    const service = await addService('shared');
    const { ip, nodePort } = addressOf(service);
    await addPod('shared', 3, true);
    await endpointsReady('shared', 1);
    await startProxy();
    const second = await startProxy({
      nodeName: 'node-2',
      nodeAddress: nodeAddress(2),
      nodePortAddresses: [nodeAddress(3)],
      bindClusterIPs: false,
    });
    expect(second.nodePortAddresses).toEqual([nodeAddress(2), nodeAddress(3)]);
    await until(
      () => ask(nodeAddress(3), nodePort),
      (r) => r === 'c',
      'extra node port address served',
    );
    expect(await ask(nodeAddress(2), nodePort)).toBe('c');
    expect(await ask(ip, servicePort)).toBe('c');
    const bound = second.proxier!.addresses('default/shared:http').map((a) => `${a.address}:${a.port}`);
    expect(bound.sort()).toEqual([`${nodeAddress(2)}:${nodePort}`, `${nodeAddress(3)}:${nodePort}`]);
  });

  it('answers health while it waits for a node port address to appear, then serves it', async () => {
    const { nodePort } = addressOf(await addService('late'));
    await addPod('late', 2, true);
    await endpointsReady('late', 1);
    let bridgeUp = false;
    const proxy = createProxyServer({
      client,
      nodeName: 'node-late',
      nodeAddress: nodeAddress(8),
      nodePortAddresses: ['test-bridge0'],
      metricsPort: 0,
      resolveAddresses: { interfaceAddresses: async () => (bridgeUp ? [nodeAddress(9)] : undefined) },
    });
    proxies.push(proxy);
    void proxy.run(new AbortController().signal);
    const url = await until(
      async () => proxy.metricsUrl,
      (u) => u !== undefined,
      'the status port',
    );
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect(proxy.isReady()).toBe(false);
    bridgeUp = true;
    await proxy.ready();
    expect(proxy.nodePortAddresses).toEqual([nodeAddress(8), nodeAddress(9)]);
    expect(await ask(nodeAddress(9), nodePort)).toBe('b');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    const bad = createProxyServer({ client, nodeName: 'bad', nodeAddress: 'eth0', metricsPort: 0 });
    await expect(bad.run(new AbortController().signal)).rejects.toThrow(/IPv4 address is needed/);
    await expect(bad.ready()).rejects.toThrow(/IPv4 address is needed/);
  });

  it('runs as `kubelite proxy` with flags and KUBELITE_ variables, and stops cleanly on SIGTERM', async () => {
    const { ip, nodePort } = addressOf(await addService('cli'));
    await addPod('cli', 1, true);
    await endpointsReady('cli', 1);
    const proxy = await startComponent(
      ['proxy', '--server', api.url, '--node-name', 'cli-node', '--metrics-port', '0', '--log-level', 'warn'],
      { env: { KUBELITE_NODE_ADDRESS: nodeAddress(4), KUBELITE_ENGINE: 'js' } },
    );
    created.push(() => proxy.stop());
    expect(proxy.output()).toMatch(
      new RegExp(
        `^kubelite proxy cli-node listening \\(metrics on ${proxy.url.replaceAll('.', '\\.')}\\)$`,
        'm',
      ),
    );
    expect(proxy.url).toMatch(new RegExp(`^http://${nodeAddress(4).replaceAll('.', '\\.')}:`));
    expect(await ask(ip, servicePort)).toBe('a'); // ready was printed after the first sync
    expect(await ask(nodeAddress(4), nodePort)).toBe('a');

    const exited = new Promise<number | null>((r) => proxy.child.once('exit', (code) => r(code)));
    proxy.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await ask(ip, servicePort)).toBe('error:ECONNREFUSED');
  });

  it('refuses unknown modes and engines', async () => {
    for (const args of [['--proxy-mode', 'udp'], ['--engine', 'fast'], ['--bind-cluster-ips=maybe']]) {
      await expect(
        startComponent(['proxy', '--server', api.url, '--metrics-port', '0', ...args], { timeoutMs: 20_000 }),
      ).rejects.toThrow(/exited \(1\) before serving[\s\S]*(--proxy-mode|--engine|--bind-cluster-ips)/);
    }
  });
});

// Kernel mode: the proxy programs nftables inside a network namespace this suite creates (never the
// host's ruleset); backends and clients run in that namespace, the apiserver and the proxy here.
describe('kubelite proxy in kernel mode (nftables in a test network namespace)', () => {
  let netns: TestNetns | undefined;
  const tables = () => netns!.run(['nft', 'list', 'tables']);

  beforeAll(async () => {
    netns = createTestNetns(`kubelite-pxc-${process.pid}`);
    for (const [i, name] of ['k1', 'k2', 'k3'].entries()) {
      await netns.startBackend(name, podIp(i + 1), backendPort);
    }
  });

  afterAll(() => netns?.close());

  it('routes cluster IPs and node ports through DNAT rules, follows readiness, removes its table on stop', async () => {
    const { ip, nodePort } = addressOf(await addService('kern'));
    const pods = [await addPod('kern', 1, true), await addPod('kern', 2, true)];
    await endpointsReady('kern', 2);
    const proxy = await startProxy({
      nodeName: 'kernel-node',
      nodeAddress: nodeAddress(6),
      mode: 'kernel',
      kernel: { command: [...netns!.exec, 'nft'] },
    });
    expect(tables()).toContain('table ip kubelite-kernel-node');
    expect(proxy.proxier!.modeOf('default/kern:http')).toBe('kernel');
    expect(proxy.proxier!.addresses('default/kern:http')).toEqual([]); // nothing bound in userspace
    expect(tally(netns!.connectNames(ip, servicePort, 6))).toEqual({ k1: 3, k2: 3 });
    expect(tally(netns!.connectNames(nodeAddress(6), nodePort, 4))).toEqual({ k1: 2, k2: 2 });

    pods.push(await addPod('kern', 3, true));
    await setReady(pods[0]!, false, podIp(1));
    await until(
      async () => netns!.connectNames(ip, servicePort, 4).sort().join(),
      (r) => r === 'k2,k2,k3,k3',
      'k1 out, k3 in',
    );

    await proxy.close();
    expect(tables()).not.toContain('kubelite-kernel-node');
    expect(netns!.connectNames(ip, servicePort, 1)).toEqual(['error:ECONNREFUSED']);
  });
});

// A Docker pod reaches a service through the {SVC}_SERVICE_HOST/_PORT variables its kubelet sets:
// the bridge gateway (where the proxy serves node ports, given as the interface kubelite0) and the
// service's node port. Images from scripts/build-images.sh; containers labelled with this run's id.
describe('kubelite proxy for Docker pods', () => {
  const runId = `proxy-${randomUUID().slice(0, 8)}`;
  const nodeName = `proxy-docker-${runId}`;
  const rootDir = join(tmpdir(), `kubelite-${runId}`);
  const stop = new AbortController();
  let runtime: Runtime;
  let kubelet: Kubelet;
  let kubeletDone: Promise<void> | undefined;

  beforeAll(async () => {
    runtime = await createRuntime({ kind: 'docker', nodeName });
    kubelet = createKubelet({ client, nodeName, runtime, port: 0, heartbeatPeriodMs: 1000, rootDir });
    kubeletDone = kubelet.run(stop.signal);
    await kubelet.started();
  });

  afterAll(async () => {
    stop.abort();
    await kubeletDone?.catch(() => {});
    if (runtime) {
      const label = { 'kubelite.test': runId };
      for (const c of await runtime.listContainers({ labels: label })) await runtime.removeContainer(c.id);
      for (const p of await runtime.listPodSandboxes({ labels: label })) await runtime.removePodSandbox(p.id);
      await runtime.close();
    }
    await client.nodes.delete(nodeName).catch(() => {});
    rmSync(rootDir, { recursive: true, force: true });
  });

  function dockerPod(name: string, container: Pod['spec']['containers'][number]): Pod {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { 'kubelite.test': runId, app: name } },
      spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [container] },
    };
  }

  async function runPod(pod: Pod): Promise<Pod> {
    await client.pods.create('default', pod);
    created.push(() => client.pods.delete('default', pod.metadata.name!, { gracePeriodSeconds: 0 }));
    return until(
      () => client.pods.get('default', pod.metadata.name!),
      (p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      `pod ${pod.metadata.name} Ready`,
      60_000,
    );
  }

  it('reaches a service through its SERVICE_HOST/_PORT variables: bridge gateway and node port', async () => {
    const service = await addService('dweb');
    const { nodePort } = addressOf(service);
    const proxy = await startProxy({
      nodeName,
      nodeAddress: nodeAddress(7),
      nodePortAddresses: ['kubelite0'],
    });
    const gateway = proxy.nodePortAddresses.find((a) => a !== nodeAddress(7));
    expect(gateway).toBe((await runtime.podNetwork()).gatewayIp);

    const web = await runPod(
      dockerPod('dweb', {
        name: 'httpd',
        image: 'kubelite/httpd:latest',
        imagePullPolicy: 'IfNotPresent',
        ports: [{ name: 'web', containerPort: 80, protocol: 'TCP' }],
      }),
    );
    await until(
      async () =>
        proxy
          .proxier!.ports()
          .find((p) => p.key === 'default/dweb:http')
          ?.endpoints.map((e) => e.ip),
      (ips) => ips?.join() === web.status?.podIP,
      'the web pod as the endpoint',
    );

    const script =
      'for i in $(seq 1 100); do ' +
      'timeout 2 wget -q -O - "http://$DWEB_SERVICE_HOST:$DWEB_SERVICE_PORT/cgi-bin/host" && break; sleep 0.2; done; ' +
      'echo "via $DWEB_SERVICE_HOST:$DWEB_SERVICE_PORT"; sleep 3600';
    await runPod(
      dockerPod('dclient', {
        name: 'main',
        image: 'kubelite/busybox:latest',
        imagePullPolicy: 'IfNotPresent',
        command: ['sh', '-c', script],
      }),
    );
    const log = await until(
      async () => (await client.podLogs('default', 'dclient')).text(),
      (text) => text.includes('via '),
      'the client pod logs',
      30_000,
    );
    expect(log).toContain(`via ${gateway}:${nodePort}\n`);
    expect(log.split('\n')[0]).toBe('dweb'); // the web pod's host name: it answered through the proxy
  }, 120_000);
});
