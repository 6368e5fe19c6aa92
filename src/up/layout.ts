// Where each part of a `kubelite up` cluster lives on this machine: the apiserver's URL, every
// node's name, loopback address, ports, pod range and state folder. Kubernetes' well-known ports by
// default; with port 0, free ones for everything, so several clusters (tests) can run side by side.
import { join } from 'node:path';
import type { ResolvedUpOptions, RuntimeKind } from './options.js';
import { choosePorts } from './ports.js';

export interface NodeLayout {
  /** 1-based. */
  index: number;
  name: string;
  /** The node's own loopback address: kubelet API, host ports and node ports listen here. */
  address: string;
  kubeletPort: number;
  /** The proxy's /metrics and /healthz port (on the node address). */
  proxyMetricsPort: number;
  /** Pod IPs of the process runtime (a loopback /24 of its own per node). */
  podCidr: string;
  /** The node's folder in the data dir: <data-dir>/nodes/<name>. */
  stateDir: string;
  /** The kubelet's --root-dir (emptyDir volumes): <stateDir>/kubelet. */
  kubeletRootDir: string;
  /** The kubelet's --state-dir (process-runtime records and container logs): <stateDir>/runtime. */
  runtimeStateDir: string;
  /** Only one proxy per machine binds the service cluster IPs (DESIGN.md "Networking"): node 1's. */
  servesClusterIps: boolean;
}

export interface ClusterLayout {
  dataDir: string;
  runtime: RuntimeKind;
  apiserverHost: string;
  apiserverPort: number;
  /** https://127.0.0.1:<port> (http:// with --insecure) */
  server: string;
  /** TLS, client certificates and Node+RBAC (not --insecure). */
  secure: boolean;
  /** The cluster CA, certificates and component kubeconfigs: <data-dir>/pki (src/pki/cluster.ts). */
  pkiDir: string;
  schedulerMetricsPort: number;
  controllerManagerMetricsPort: number;
  kubeconfigPath: string;
  logDir: string;
  nodes: NodeLayout[];
}

/** Kubernetes' customary ports, used when `--port` is not 0. */
export const wellKnownPorts = {
  kubelet: 10250,
  scheduler: 10251,
  controllerManager: 10252,
  proxyMetrics: 10249,
} as const;

export function nodeName(prefix: string, index: number): string {
  return `${prefix}-${index}`;
}

/** Node N of base 127.0.1 is 127.0.1.N and runs pods in 127.1.N.0/24 (base 127.0.2: 127.2.N.0/24). */
export function nodeAddresses(base: string, index: number): { address: string; podCidr: string } {
  const third = base.split('.')[2];
  return { address: `${base}.${index}`, podCidr: `127.${third}.${index}.0/24` };
}

export async function layoutCluster(
  options: ResolvedUpOptions,
  runtime: RuntimeKind,
): Promise<ClusterLayout> {
  const free = options.port === 0;
  const host = '127.0.0.1';
  const nodes = Array.from({ length: options.nodes }, (_, i) => {
    const index = i + 1;
    const name = nodeName(options.nodeNamePrefix, index);
    return { index, name, ...nodeAddresses(options.nodeAddressBase, index) };
  });
  const [apiserverPort, schedulerMetricsPort, controllerManagerMetricsPort, ...nodePorts] = await choosePorts(
    [
      { host, port: options.port },
      { host, port: free ? 0 : wellKnownPorts.scheduler },
      { host, port: free ? 0 : wellKnownPorts.controllerManager },
      ...nodes.flatMap((n) => [
        { host: n.address, port: free ? 0 : wellKnownPorts.kubelet },
        { host: n.address, port: free ? 0 : wellKnownPorts.proxyMetrics },
      ]),
    ],
  );
  return {
    dataDir: options.dataDir,
    runtime,
    apiserverHost: host,
    apiserverPort: apiserverPort!,
    server: `${options.insecure ? 'http' : 'https'}://${host}:${apiserverPort}`,
    secure: !options.insecure,
    pkiDir: join(options.dataDir, 'pki'),
    schedulerMetricsPort: schedulerMetricsPort!,
    controllerManagerMetricsPort: controllerManagerMetricsPort!,
    kubeconfigPath: join(options.dataDir, 'kubeconfig'),
    logDir: join(options.dataDir, 'logs'),
    nodes: nodes.map((n, i) => ({
      ...n,
      kubeletPort: nodePorts[2 * i]!,
      proxyMetricsPort: nodePorts[2 * i + 1]!,
      stateDir: join(options.dataDir, 'nodes', n.name),
      kubeletRootDir: join(options.dataDir, 'nodes', n.name, 'kubelet'),
      runtimeStateDir: join(options.dataDir, 'nodes', n.name, 'runtime'),
      servesClusterIps: n.index === 1,
    })),
  };
}
