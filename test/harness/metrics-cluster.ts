// Every kubelite component that serves /metrics, started as child processes of the real CLI on free
// ports against one apiserver, with a pod run through scheduler and kubelet (fake runtime) so
// labelled series and histograms carry samples. Used by the promtool suite and by the generator of
// docs/metrics.md, so both see exactly what the components export.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../src/api/types.js';
import { createClient } from '../../src/client/index.js';
import { type StartedComponent, startComponent } from './component.js';

export interface MetricsCluster {
  /** Component name → base URL serving /metrics. */
  readonly urls: Record<string, string>;
  stop(): Promise<void>;
}

export const components = ['apiserver', 'scheduler', 'controller-manager', 'kubelet', 'proxy'];

export async function startMetricsCluster(): Promise<MetricsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-metrics-cluster-'));
  const nodeName = `metrics-${process.pid}`;
  // A loopback node address of its own: the proxy's node ports cannot clash with other suites'.
  const nodeAddress = `127.0.${100 + (process.pid % 150)}.${1 + (Math.floor(process.pid / 150) % 250)}`;
  const quiet = ['--log-level', 'warn'];
  const started: Record<string, StartedComponent> = {};
  const client: { close(): Promise<void> }[] = [];
  const stop = async () => {
    await Promise.all(client.map((c) => c.close()));
    await Promise.all(Object.values(started).map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    started.apiserver = await startComponent([
      'apiserver',
      '--storage',
      `embedded://${join(dir, 'data')}`,
      '--port',
      '0',
      ...quiet,
    ]);
    const server = started.apiserver.url;
    // Started together; each is recorded as soon as it serves, so a failure of one stops the others.
    const record = (name: string) => (c: StartedComponent) => {
      started[name] = c;
    };
    const results = await Promise.allSettled([
      startComponent(['scheduler', '--server', server, '--metrics-port', '0', ...quiet]).then(
        record('scheduler'),
      ),
      startComponent(['controller-manager', '--server', server, '--metrics-port', '0', ...quiet]).then(
        record('controller-manager'),
      ),
      startComponent([
        'kubelet',
        '--server',
        server,
        '--node-name',
        nodeName,
        '--runtime',
        'fake',
        // Fake pod IPs on loopback too, so nothing could ever route off the machine.
        '--pod-cidr',
        '127.78.0.0/24',
        '--port',
        '0',
        '--root-dir',
        join(dir, 'kubelet'),
        // Heartbeats within the run, so their series have samples.
        '--heartbeat-period',
        '500ms',
        ...quiet,
      ]).then(record('kubelet')),
      startComponent([
        'proxy',
        '--server',
        server,
        '--node-name',
        nodeName,
        '--node-address',
        nodeAddress,
        '--bind-cluster-ips=false',
        '--metrics-port',
        '0',
        ...quiet,
      ]).then(record('proxy')),
    ]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const api = createClient({ server });
    client.push(api);
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'metrics-probe', namespace: 'default', labels: { app: 'metrics-probe' } },
      spec: {
        containers: [{ name: 'main', image: 'busybox' }],
        nodeSelector: { 'kubernetes.io/hostname': nodeName },
      },
    };
    await api.pods.create('default', pod);
    // A service over the pod: endpoints for the proxy to program (per-service series, network
    // programming latency).
    await api.services.create('default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'metrics-probe', namespace: 'default' },
      spec: { type: 'NodePort', selector: { app: 'metrics-probe' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const current = await api.pods.get('default', 'metrics-probe');
      if (current.status?.phase === 'Running') break;
      if (Date.now() > deadline) throw new Error(`pod not Running: ${JSON.stringify(current.status)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1200));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    // In a fixed order (the order of docs/metrics.md), whatever order they came up in.
    urls: Object.fromEntries(components.map((name) => [name, started[name]!.url])),
    stop,
  };
}
