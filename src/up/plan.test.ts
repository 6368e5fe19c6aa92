import { describe, expect, it } from 'vitest';
import { layoutCluster, nodeAddresses, wellKnownPorts } from './layout.js';
import { resolveUpOptions } from './options.js';
import { planComponents, stages } from './plan.js';

describe('resolveUpOptions', () => {
  it('fills defaults from the data dir', () => {
    const o = resolveUpOptions({ dataDir: '/tmp/k' });
    expect(o).toMatchObject({
      dataDir: '/tmp/k',
      nodes: 1,
      port: 8080,
      storage: 'embedded:///tmp/k/store',
      runtime: 'auto',
      proxyMode: 'tcp',
      nodeNamePrefix: 'node',
    });
  });

  it('reports every bad value at once', () => {
    expect(() =>
      resolveUpOptions({
        nodes: -1,
        port: 70000,
        runtime: 'lxc' as never,
        proxyMode: 'udp' as never,
        nodeNamePrefix: 'Node_',
      }),
    ).toThrow(/nodes must be.*port must be.*runtime must be.*proxy mode must be.*node name prefix/);
  });
});

describe('layout and plan', () => {
  it('gives each node its own address, pod range and state folder; well-known ports by default', async () => {
    const options = resolveUpOptions({ dataDir: '/tmp/k', nodes: 2, port: 18080 });
    const layout = await layoutCluster(options, 'process');
    expect(layout.server).toBe('https://127.0.0.1:18080');
    expect(layout.pkiDir).toBe('/tmp/k/pki');
    expect(layout.nodes).toEqual([
      expect.objectContaining({
        name: 'node-1',
        address: '127.0.1.1',
        podCidr: '127.1.1.0/24',
        kubeletPort: wellKnownPorts.kubelet,
        stateDir: '/tmp/k/nodes/node-1',
        servesClusterIps: true,
      }),
      expect.objectContaining({
        name: 'node-2',
        address: '127.0.1.2',
        podCidr: '127.1.2.0/24',
        servesClusterIps: false,
      }),
    ]);
    expect(nodeAddresses('127.0.7', 3)).toEqual({ address: '127.0.7.3', podCidr: '127.7.3.0/24' });
  });

  it('picks distinct free ports for every part with port 0', async () => {
    const layout = await layoutCluster(resolveUpOptions({ dataDir: '/tmp/k', nodes: 2, port: 0 }), 'fake');
    const masterPorts = [
      layout.apiserverPort,
      layout.schedulerMetricsPort,
      layout.controllerManagerMetricsPort,
    ];
    expect(new Set(masterPorts).size).toBe(3);
    for (const p of masterPorts) expect(p).toBeGreaterThan(1023);
    for (const n of layout.nodes) expect(n.kubeletPort).not.toBe(n.proxyMetricsPort);
  });

  it('plans apiserver, master and node components in stages with their flags', async () => {
    const options = resolveUpOptions({
      dataDir: '/tmp/k',
      nodes: 2,
      port: 18080,
      proxyMode: 'http',
      logLevel: 'debug',
    });
    const specs = planComponents(options, await layoutCluster(options, 'process'));
    expect(specs.map((s) => [s.name, s.stage])).toEqual([
      ['apiserver', stages.apiserver],
      ['scheduler', stages.master],
      ['controller-manager', stages.master],
      ['kubelet-node-1', stages.node],
      ['proxy-node-1', stages.node],
      ['kubelet-node-2', stages.node],
      ['proxy-node-2', stages.node],
    ]);
    const args = Object.fromEntries(specs.map((s) => [s.name, s.args.join(' ')]));
    expect(args.apiserver).toContain('--storage embedded:///tmp/k/store');
    expect(args.apiserver).toContain('--port 18080');
    expect(args.scheduler).toContain('--kubeconfig /tmp/k/pki/scheduler.kubeconfig');
    expect(args['controller-manager']).toContain('--kubeconfig /tmp/k/pki/controller-manager.kubeconfig');
    expect(args['kubelet-node-2']).toContain('--kubeconfig /tmp/k/pki/kubelet-node-2.kubeconfig');
    expect(args['kubelet-node-2']).toContain(
      '--tls-cert-file /tmp/k/pki/kubelet-node-2.crt --tls-private-key-file /tmp/k/pki/kubelet-node-2.key --client-ca-file /tmp/k/pki/ca.crt',
    );
    expect(args['proxy-node-2']).toContain('--kubeconfig /tmp/k/pki/proxy.kubeconfig');
    expect(args.apiserver).toContain(
      '--tls-cert-file /tmp/k/pki/apiserver.crt --tls-private-key-file /tmp/k/pki/apiserver.key --client-ca-file /tmp/k/pki/ca.crt --authorization-mode Node,RBAC',
    );
    expect(args.apiserver).toContain('--kubelet-client-certificate /tmp/k/pki/apiserver-kubelet-client.crt');
    expect(args['kubelet-node-2']).toContain('--node-name node-2');
    expect(args['kubelet-node-2']).toContain('--runtime process');
    expect(args['kubelet-node-2']).toContain('--address 127.0.1.2');
    expect(args['proxy-node-1']).toContain('--proxy-mode http');
    expect(args['proxy-node-1']).toContain('--node-address 127.0.1.1');
    expect(args['proxy-node-1']).not.toContain('--bind-cluster-ips=false');
    expect(args['proxy-node-1']).not.toContain('--node-port-addresses'); // process pods use the node address
    expect(args['proxy-node-2']).toContain('--bind-cluster-ips=false');
    expect(args.apiserver).toContain('--node-ports-for-all-services');
    for (const a of Object.values(args)) expect(a).toContain('--log-level debug');
  });

  it('lets the first proxy serve node ports on the Docker bridge when pods run in Docker', async () => {
    const options = resolveUpOptions({ dataDir: '/tmp/k', nodes: 2, port: 18080 });
    const specs = planComponents(options, await layoutCluster(options, 'docker'));
    const args = Object.fromEntries(specs.map((s) => [s.name, s.args.join(' ')]));
    expect(args['proxy-node-1']).toContain('--node-port-addresses kubelite0');
    expect(args['proxy-node-2']).not.toContain('--node-port-addresses');
  });

  it("appends each component's extra flags after its own", async () => {
    const options = resolveUpOptions({
      dataDir: '/tmp/k',
      nodes: 1,
      port: 18080,
      componentArgs: {
        kubelet: ['heartbeat-period=1s', '--max-pods=5'],
        'controller-manager': ['pod-eviction-timeout=5s'],
      },
    });
    const specs = planComponents(options, await layoutCluster(options, 'fake'));
    const args = Object.fromEntries(specs.map((s) => [s.kind, s.args]));
    expect(args.kubelet!.slice(-2)).toEqual(['--heartbeat-period=1s', '--max-pods=5']);
    expect(args['controller-manager']!.at(-1)).toBe('--pod-eviction-timeout=5s');
    expect(args.apiserver!.at(-1)).toBe('/tmp/k/pki/ca.crt'); // untouched: up's own last flag
  });

  it('runs plain HTTP with one shared kubeconfig and no certificates with --insecure', async () => {
    const options = resolveUpOptions({ dataDir: '/tmp/k', nodes: 1, port: 18080, insecure: true });
    const layout = await layoutCluster(options, 'fake');
    expect(layout.server).toBe('http://127.0.0.1:18080');
    const args = planComponents(options, layout).map((s) => s.args.join(' '));
    for (const a of args) expect(a).not.toContain('/tmp/k/pki');
    for (const a of args.slice(1)) expect(a).toContain('--kubeconfig /tmp/k/kubeconfig');
  });
});
