// The components of a `kubelite up` cluster as command lines of the same `kubelite` binary, in start
// order: stage 0 the apiserver, stage 1 scheduler and controller-manager, stage 2 each node's kubelet
// and proxy. Stop goes the other way. The same lines are what a multi-machine cluster runs by hand
// (`kubelite up --print-config` shows them).
import { type ClusterPki, clusterPkiPaths } from '../pki/cluster.js';
import type { ClusterLayout, NodeLayout } from './layout.js';
import type { ComponentKind, ResolvedUpOptions } from './options.js';

export type { ComponentKind } from './options.js';

export interface ComponentSpec {
  /** Unique in the cluster; also the log file name: apiserver, scheduler, kubelet-node-1, proxy-node-1. */
  name: string;
  kind: ComponentKind;
  /** Arguments after the kubelite entry: the subcommand and its flags. */
  args: string[];
  /** Start order, lowest first; components of one stage start together and stop together. */
  stage: number;
  node?: string;
}

export const stages = { apiserver: 0, master: 1, node: 2 } as const;

/** The Docker network (bridge) the docker runtime puts pods on; its gateway is the host. */
export const dockerPodBridge = 'kubelite0';

/** The cluster's certificate files (a secure layout), or undefined (--insecure). */
function pkiOf(layout: ClusterLayout): ClusterPki | undefined {
  if (!layout.secure) return undefined;
  return clusterPkiPaths(
    layout.pkiDir,
    layout.nodes.map((n) => n.name),
    layout.kubeconfigPath,
  );
}

/** TLS, client-certificate authentication and Node+RBAC for the apiserver; certificates for kubelets. */
function apiserverSecurityArgs(pki: ClusterPki): string[] {
  return [
    '--tls-cert-file',
    pki.apiserver.cert,
    '--tls-private-key-file',
    pki.apiserver.key,
    '--client-ca-file',
    pki.caFile,
    '--authorization-mode',
    'Node,RBAC',
    '--kubelet-client-certificate',
    pki.apiserverKubeletClient.cert,
    '--kubelet-client-key',
    pki.apiserverKubeletClient.key,
    '--kubelet-certificate-authority',
    pki.caFile,
  ];
}

function apiserverSpec(options: ResolvedUpOptions, layout: ClusterLayout): ComponentSpec {
  const args = [
    'apiserver',
    '--storage',
    options.storage,
    '--bind-address',
    layout.apiserverHost,
    '--port',
    String(layout.apiserverPort),
    '--log-level',
    options.logLevel,
    // Pods reach services through node ports (DESIGN.md "Networking"): Docker pods cannot reach
    // the host's loopback cluster IPs.
    '--node-ports-for-all-services',
  ];
  if (options.serviceClusterIpRange) args.push('--service-cluster-ip-range', options.serviceClusterIpRange);
  const pki = pkiOf(layout);
  if (pki) args.push(...apiserverSecurityArgs(pki));
  return { name: 'apiserver', kind: 'apiserver', args, stage: stages.apiserver };
}

/** --kubeconfig (the component's own identity in a secure cluster, else the shared one) and --log-level. */
function clientArgs(options: ResolvedUpOptions, layout: ClusterLayout, own: string | undefined): string[] {
  return ['--kubeconfig', own ?? layout.kubeconfigPath, '--log-level', options.logLevel];
}

function masterSpecs(options: ResolvedUpOptions, layout: ClusterLayout): ComponentSpec[] {
  const pki = pkiOf(layout);
  // Each component authenticates as itself (system:kube-scheduler, system:kube-controller-manager).
  const common = (kubeconfig: string | undefined) => clientArgs(options, layout, kubeconfig);
  return [
    {
      name: 'scheduler',
      kind: 'scheduler',
      args: [
        'scheduler',
        ...common(pki?.kubeconfigs.scheduler),
        '--metrics-port',
        String(layout.schedulerMetricsPort),
      ],
      stage: stages.master,
    },
    {
      name: 'controller-manager',
      kind: 'controller-manager',
      args: [
        'controller-manager',
        ...common(pki?.kubeconfigs.controllerManager),
        '--metrics-port',
        String(layout.controllerManagerMetricsPort),
      ],
      stage: stages.master,
    },
  ];
}

function nodeSpecs(options: ResolvedUpOptions, layout: ClusterLayout, node: NodeLayout): ComponentSpec[] {
  const pki = pkiOf(layout);
  // The kubelet authenticates as system:node:<name> (Node authorizer), the proxy as system:kube-proxy.
  const common = (kubeconfig: string | undefined) => [
    ...clientArgs(options, layout, kubeconfig),
    '--node-name',
    node.name,
  ];
  const serving = pki?.kubeletServing[node.name];
  const kubeletTls =
    pki && serving
      ? [
          '--tls-cert-file',
          serving.cert,
          '--tls-private-key-file',
          serving.key,
          '--client-ca-file',
          pki.caFile,
        ]
      : [];
  const kubelet: ComponentSpec = {
    name: `kubelet-${node.name}`,
    kind: 'kubelet',
    node: node.name,
    stage: stages.node,
    args: [
      'kubelet',
      ...common(pki?.kubeconfigs.nodes[node.name]),
      '--runtime',
      layout.runtime,
      '--address',
      node.address,
      '--port',
      String(node.kubeletPort),
      '--pod-cidr',
      node.podCidr,
      '--root-dir',
      node.kubeletRootDir,
      '--state-dir',
      node.runtimeStateDir,
      ...kubeletTls,
    ],
  };
  const proxyArgs = [
    'proxy',
    ...common(pki?.kubeconfigs.proxy),
    '--proxy-mode',
    options.proxyMode,
    '--node-address',
    node.address,
    '--metrics-port',
    String(node.proxyMetricsPort),
  ];
  if (node.servesClusterIps) {
    // Docker pods reach services through their bridge's gateway and node ports: one proxy serves them.
    if (layout.runtime === 'docker') proxyArgs.push('--node-port-addresses', dockerPodBridge);
  } else {
    proxyArgs.push('--bind-cluster-ips=false');
  }
  const proxy: ComponentSpec = {
    name: `proxy-${node.name}`,
    kind: 'proxy',
    node: node.name,
    stage: stages.node,
    args: proxyArgs,
  };
  return [kubelet, proxy];
}

export function planComponents(options: ResolvedUpOptions, layout: ClusterLayout): ComponentSpec[] {
  const specs = [
    apiserverSpec(options, layout),
    ...masterSpecs(options, layout),
    ...layout.nodes.flatMap((node) => nodeSpecs(options, layout, node)),
  ];
  // The user's extra flags come last: a repeated flag's last value wins (node:util parseArgs).
  return specs.map((s) => ({ ...s, args: [...s.args, ...options.componentArgs[s.kind]] }));
}
