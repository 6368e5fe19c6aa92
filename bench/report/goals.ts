// The figures the summary shows, each beside its peer (measured in the same run) and its goal from
// the issues. Paths use the language of json-path.ts: `{name}` and `[k=*]` expand one row per match
// and bind names for the label and the peer's path. A path that matches nothing is shown as
// "missing" (the benchmark did not run that case, or its JSON changed shape: fix the path here).
// Goals use goal-expression.ts: `>= 20000`, `<= peer + 100`, `>= 0.9 * peer`.

export interface Peer {
  /** Label template, e.g. `etcd` or `HAProxy tcp`. */
  name: string;
  path: string;
}

export interface Goal {
  bench: string;
  /** Label template, e.g. `writes/s, {writers} writers`. */
  figure: string;
  path: string;
  unit: string;
  peer?: Peer;
  goal?: string;
  /** Where the goal comes from (issue number, SLO). */
  source?: string;
}

const storage: Goal[] = [
  {
    bench: 'storage',
    figure: 'embedded writes/s, {writers} writers',
    path: 'summary[backend=embedded,writers=*].writesPerSec',
    unit: 'writes/s',
    peer: { name: 'etcd', path: 'summary[backend=etcd,writers={writers}].writesPerSec' },
    goal: '>= peer',
    source: 'issue 2: at least etcd',
  },
  {
    bench: 'storage',
    figure: 'embedded writes/s, 256 writers (absolute)',
    path: 'summary[backend=embedded,writers=256].writesPerSec',
    unit: 'writes/s',
    peer: { name: 'etcd', path: 'summary[backend=etcd,writers=256].writesPerSec' },
    goal: '>= 20000',
    source: 'issue 2',
  },
  {
    bench: 'storage',
    figure: 'embedded reads/s, {writers} writers',
    path: 'summary[backend=embedded,writers=*].readsPerSec',
    unit: 'reads/s',
    peer: { name: 'etcd', path: 'summary[backend=etcd,writers={writers}].readsPerSec' },
    goal: '>= peer',
    source: 'issue 2: at least etcd',
  },
  {
    bench: 'storage',
    figure: 'embedded watch delivery p99, {writers} writers',
    path: 'summary[backend=embedded,writers=*].watchLatencyMs.p99',
    unit: 'ms',
    peer: { name: 'etcd', path: 'summary[backend=etcd,writers={writers}].watchLatencyMs.p99' },
    goal: '< 5',
    source: 'issue 2',
  },
];

const client: Goal[] = [
  {
    bench: 'client',
    figure: 'REST GET req/s',
    path: 'rest.kubelite.requestsPerSecond',
    unit: 'req/s',
    peer: { name: 'client-node', path: 'rest.client-node.requestsPerSecond' },
  },
  {
    bench: 'client',
    figure: 'REST GET req/s',
    path: 'rest.kubelite.requestsPerSecond',
    unit: 'req/s',
    peer: { name: 'undici fetch', path: 'rest["undici-fetch"].requestsPerSecond' },
  },
  {
    bench: 'client',
    figure: 'informer events/s',
    path: 'informerEventsPerSecond.kubelite',
    unit: 'events/s',
    peer: { name: 'client-node', path: 'informerEventsPerSecond.clientNode' },
  },
  {
    bench: 'client',
    figure: 'watch decoder MiB/s',
    path: 'decoderMiBPerSecond.ours',
    unit: 'MiB/s',
    peer: { name: 'naive split', path: 'decoderMiBPerSecond.naive' },
  },
  {
    bench: 'client',
    figure: 'watch decoder MiB/s, one 8 MiB event',
    path: 'decoderMiBPerSecond.oursOneHugeEvent',
    unit: 'MiB/s',
    peer: { name: 'naive split', path: 'decoderMiBPerSecond.naiveOneHugeEvent' },
  },
];

const apiserver: Goal[] = [
  {
    bench: 'apiserver',
    figure: 'creates p99 at {targetPerSecond}/s ({storage})',
    path: 'fixedRate[storage=*,targetPerSecond=*].latencyMs.p99',
    unit: 'ms',
    goal: '<= 50',
    source: 'issue 3 (mutating, at 2,000 writes/s)',
  },
  {
    bench: 'apiserver',
    figure: '{verb} requests/s, 64 clients ({storage})',
    path: 'requests[storage=*,verb=*].requestsPerSecond',
    unit: 'req/s',
    peer: { name: 'bare node:http', path: 'peer.requests[storage={storage},verb={verb}].requestsPerSecond' },
  },
  {
    bench: 'apiserver',
    figure: '{verb} p99 latency, 64 clients ({storage})',
    path: 'requests[storage=*,verb=*].latencyMs.p99',
    unit: 'ms',
    peer: { name: 'bare node:http', path: 'peer.requests[storage={storage},verb={verb}].latencyMs.p99' },
  },
  {
    bench: 'apiserver',
    figure: 'watch delivery p99, {watchers} watchers',
    path: 'fanout[watchers=*].deliveryMs.p99',
    unit: 'ms',
    peer: { name: 'bare node:http fan-out', path: 'fanoutPeer[watchers={watchers}].deliveryMs.p99' },
    goal: '<= 100',
    source: 'issue 3 (Kubernetes SLO p99 ≤ 1 s is the floor)',
  },
];

const scheduler: Goal[] = [
  {
    bench: 'scheduler',
    figure: 'pods/s created → bound, {nodes} nodes, {mode}',
    path: 'results[nodes=*,mode=*].podsPerSec',
    unit: 'pods/s',
    peer: { name: 'create-only ceiling', path: 'createOnlyPodsPerSec.median' },
    goal: '>= 1000',
    source: 'issue 4 (at 5,000 nodes; kube-scheduler CI: 680–810 in-process)',
  },
  {
    bench: 'scheduler',
    figure: 'per-pod latency p99, {nodes} nodes, {mode}',
    path: 'results[nodes=*,mode=*].latencyMs.p99',
    unit: 'ms',
  },
];

const podStartup: Goal[] = [
  {
    bench: 'pod-startup',
    figure: 'single pod create → Ready p99',
    path: 'single.createToReadyMs.p99',
    unit: 'ms',
    peer: { name: 'docker run -d', path: 'single.peers.dockerRunCliMs.p99' },
    goal: '<= peer + 100',
    source: 'issue 5',
  },
  {
    bench: 'pod-startup',
    figure: 'single pod create → Ready p50',
    path: 'single.createToReadyMs.p50',
    unit: 'ms',
    peer: { name: 'engine infra + app', path: 'single.peers.engineInfraPlusAppMs.p50' },
  },
  {
    bench: 'pod-startup',
    figure: 'single pod through the scheduler p99',
    path: 'single.scheduledCreateToReadyMs.p99',
    unit: 'ms',
    peer: { name: 'docker run -d', path: 'single.peers.dockerRunCliMs.p99' },
  },
  {
    bench: 'pod-startup',
    figure: 'burst create → Ready p99',
    path: 'burst.createToReadyMs.p99',
    unit: 'ms',
    peer: { name: 'engine pairs at once', path: 'burst.peers.engineInfraPlusAppAtOnceMs.p99' },
    goal: '<= 3000',
    source: 'issue 5 (Kubernetes SLO 5 s)',
  },
  {
    bench: 'pod-startup',
    figure: 'kubelet idle CPU with the burst running',
    path: 'idle.kubeletCpuPercentOfCore',
    unit: '% core',
    goal: '< 1',
    source: 'issue 5',
  },
];

const keepAlive = 'keepalive-64|keepalive-256';
const proxy: Goal[] = [
  {
    bench: 'proxy',
    figure: 'tcp req/s, {scenario}',
    path: `results.{scenario:${keepAlive}}.kubelite-tcp.requestsPerSecond`,
    unit: 'req/s',
    peer: { name: 'HAProxy tcp', path: 'results.{scenario}.haproxy-tcp.requestsPerSecond' },
    goal: '>= peer',
    source: 'issue 6',
  },
  {
    bench: 'proxy',
    figure: 'tcp CPU µs/request, {scenario}',
    path: `results.{scenario:${keepAlive}}.kubelite-tcp.cpuUsPerRequest`,
    unit: 'µs',
    peer: { name: 'HAProxy tcp', path: 'results.{scenario}.haproxy-tcp.cpuUsPerRequest' },
    goal: '<= peer',
    source: 'issue 6',
  },
  {
    bench: 'proxy',
    figure: 'tcp p99, keepalive-256',
    path: 'results.keepalive-256.kubelite-tcp.latencyMs.p99',
    unit: 'ms',
    peer: { name: 'HAProxy tcp', path: 'results.keepalive-256.haproxy-tcp.latencyMs.p99' },
    goal: '<= peer',
    source: 'issue 6',
  },
  {
    bench: 'proxy',
    figure: 'tcp req/s, {scenario}',
    path: 'results.{scenario:body-64k|conn-per-request}.kubelite-tcp.requestsPerSecond',
    unit: 'req/s',
    peer: { name: 'HAProxy tcp', path: 'results.{scenario}.haproxy-tcp.requestsPerSecond' },
  },
  {
    bench: 'proxy',
    figure: 'http req/s, {scenario}',
    path: 'results.{scenario}.kubelite-http.requestsPerSecond',
    unit: 'req/s',
    peer: { name: 'HAProxy http', path: 'results.{scenario}.haproxy-http.requestsPerSecond' },
    goal: '>= peer',
    source: 'issue 6',
  },
  {
    bench: 'proxy',
    figure: 'http req/s, conn-per-request',
    path: 'results.conn-per-request.kubelite-http.requestsPerSecond',
    unit: 'req/s',
    peer: { name: 'HAProxy tcp', path: 'results.conn-per-request.haproxy-tcp.requestsPerSecond' },
    goal: '>= peer',
    source: 'issue 6',
  },
  {
    bench: 'proxy',
    figure: 'kernel req/s, {scenario}',
    path: `results.{scenario:${keepAlive}|body-64k}.kubelite-kernel.requestsPerSecond`,
    unit: 'req/s',
    peer: { name: 'direct (netns)', path: 'results.{scenario}.direct-netns.requestsPerSecond' },
    goal: '>= 0.9 * peer',
    source: 'issue 6',
  },
  {
    bench: 'proxy',
    figure: 'network programming p99',
    path: 'networkProgrammingMs.p99',
    unit: 'ms',
    goal: '<= 50',
    source: 'issue 6 (Kubernetes CI: seconds)',
  },
];

// bench/cluster-scale.ts: every API call's p99 beside its SLO (1 s mutating and get, 30 s list).
const clusterScale: Goal[] = [
  {
    bench: 'cluster-scale',
    figure: 'nodes Ready, {nodes} nodes',
    path: 'results[nodes=*].nodesReady',
    unit: 'nodes',
    peer: { name: 'wanted', path: 'results[nodes={nodes}].nodes' },
    goal: '>= peer',
  },
  {
    bench: 'cluster-scale',
    figure: 'pods Running, {nodes} nodes',
    path: 'results[nodes=*].podsRunning',
    unit: 'pods',
    peer: { name: 'wanted', path: 'results[nodes={nodes}].pods' },
    goal: '>= peer',
  },
  {
    bench: 'cluster-scale',
    figure: '{nodes} nodes: {call} p99',
    path: 'results[nodes=*].api[call=*].p99Ms',
    unit: 'ms',
    peer: { name: 'SLO', path: 'results[nodes={nodes}].api[call={call}].sloMs' },
    goal: '<= peer',
    source: 'Kubernetes API call latency SLO',
  },
  {
    bench: 'cluster-scale',
    figure: 'pod startup p99, {nodes} nodes',
    path: 'results[nodes=*].podStartupMs.p99',
    unit: 'ms',
    goal: '<= 5000',
    source: 'Kubernetes pod startup SLO',
  },
  {
    bench: 'cluster-scale',
    figure: 'scheduler pods/s, {nodes} nodes',
    path: 'results[nodes=*].schedulerPodsPerSec',
    unit: 'pods/s',
  },
  {
    bench: 'cluster-scale',
    figure: 'apiserver peak RSS, {nodes} nodes',
    path: 'results[nodes=*].apiserver.peakRssMiB',
    unit: 'MiB',
  },
  {
    bench: 'cluster-scale',
    figure: 'memory per hollow node, {nodes} nodes',
    path: 'results[nodes=*].hollowNodes.rssKiBPerNode',
    unit: 'KiB',
  },
];

export const goals: Goal[] = [
  ...storage,
  ...client,
  ...apiserver,
  ...scheduler,
  ...podStartup,
  ...proxy,
  ...clusterScale,
];
