// The charts of the summary: latency percentile curves per path and throughput against peers.
// Paths follow json-path.ts; `name` templates split one spec into several files.
import type { ChartSpec } from './charts.js';

export const chartSpecs: ChartSpec[] = [
  {
    kind: 'bars',
    bench: 'storage',
    name: 'storage-writes',
    title: 'Storage: durable writes/s by concurrent writers',
    yLabel: 'writes/s',
    sources: [
      { path: 'summary[backend=*,writers=*].writesPerSec', group: '{writers} writers', bar: '{backend}' },
    ],
    references: [{ value: 20_000, label: 'goal at 256 writers' }],
  },
  {
    kind: 'bars',
    bench: 'storage',
    name: 'storage-reads',
    title: 'Storage: reads/s by concurrent writers',
    yLabel: 'reads/s',
    sources: [
      { path: 'summary[backend=*,writers=*].readsPerSec', group: '{writers} writers', bar: '{backend}' },
    ],
  },
  {
    kind: 'latency',
    bench: 'storage',
    name: 'storage-watch-latency-{writers}',
    title: 'Storage: watch delivery latency, {writers} writers',
    sources: [{ path: 'summary[backend=*,writers=*].watchLatencyMs', series: '{backend}' }],
    references: [{ value: 5, label: 'goal p99 5 ms' }],
  },
  {
    kind: 'bars',
    bench: 'client',
    name: 'client-throughput',
    title: 'Client: REST GET req/s and informer events/s',
    yLabel: 'per second',
    sources: [
      { path: 'rest.{client}.requestsPerSecond', group: 'REST GET req/s', bar: '{client}' },
      {
        path: 'informerEventsPerSecond.{client:kubelite|clientNode}',
        group: 'informer events/s',
        bar: '{client}',
      },
    ],
  },
  {
    kind: 'latency',
    bench: 'client',
    name: 'client-rest-latency',
    title: 'Client: REST GET latency, 16 callers',
    sources: [{ path: 'rest.{client}', series: '{client}' }],
  },
  {
    kind: 'bars',
    bench: 'apiserver',
    name: 'apiserver-throughput',
    title: 'apiserver: requests/s by verb, 64 clients',
    yLabel: 'req/s',
    sources: [
      { path: 'requests[storage=*,verb=*].requestsPerSecond', group: '{verb}', bar: 'kubelite {storage}' },
      {
        path: 'peer.requests[storage=*,verb=*].requestsPerSecond',
        group: '{verb}',
        bar: 'bare node:http ({storage} run)',
      },
    ],
  },
  {
    kind: 'latency',
    bench: 'apiserver',
    name: 'apiserver-latency',
    title: 'apiserver: request latency by verb',
    sources: [
      { path: 'requests[storage=*,verb=*].latencyMs', series: '{verb} ({storage}), 64 clients' },
      {
        path: 'fixedRate[storage=*,targetPerSecond=*].latencyMs',
        series: 'creates at {targetPerSecond}/s ({storage})',
      },
    ],
    references: [{ value: 50, label: 'goal p99 50 ms (2,000 writes/s)' }],
  },
  {
    kind: 'latency',
    bench: 'apiserver',
    name: 'apiserver-watch-fanout',
    title: 'apiserver: watch delivery to the last watcher',
    sources: [
      { path: 'fanout[watchers=*].deliveryMs', series: '{watchers} watchers' },
      { path: 'fanoutPeer[watchers=*].deliveryMs', series: '{watchers} watchers, bare node:http' },
    ],
    references: [{ value: 100, label: 'goal p99 100 ms' }],
  },
  {
    kind: 'bars',
    bench: 'scheduler',
    name: 'scheduler-throughput',
    title: 'Scheduler: pods/s created → bound',
    yLabel: 'pods/s',
    sources: [
      { path: 'results[nodes=*,mode=*].podsPerSec', group: '{nodes} nodes', bar: 'created → bound ({mode})' },
      {
        path: 'results[nodes=*,mode=streaming].createPodsPerSec',
        group: '{nodes} nodes',
        bar: 'create rate (streaming)',
      },
    ],
    references: [{ value: 1000, label: 'goal 1,000 at 5,000 nodes' }],
    referencePaths: [{ path: 'createOnlyPodsPerSec.median', label: 'create-only ceiling' }],
  },
  {
    kind: 'latency',
    bench: 'scheduler',
    name: 'scheduler-latency',
    title: 'Scheduler: per-pod latency created → bound',
    sources: [{ path: 'results[nodes=*,mode=streaming].latencyMs', series: '{nodes} nodes' }],
  },
  {
    kind: 'bars',
    bench: 'pod-startup',
    name: 'pod-startup-vs-docker',
    title: 'Pod startup p99: kubelite vs Docker',
    yLabel: 'ms',
    sources: [
      { path: 'single.createToReadyMs.p99', group: 'single pod', bar: 'kubelite create → Ready' },
      { path: 'single.scheduledCreateToReadyMs.p99', group: 'single pod', bar: 'kubelite via scheduler' },
      { path: 'single.peers.dockerRunCliMs.p99', group: 'single pod', bar: 'docker run -d' },
      { path: 'single.peers.engineInfraPlusAppMs.p99', group: 'single pod', bar: 'engine infra + app' },
      { path: 'burst.createToReadyMs.p99', group: 'burst', bar: 'kubelite create → Ready' },
      { path: 'burst.peers.engineInfraPlusAppAtOnceMs.p99', group: 'burst', bar: 'engine infra + app' },
    ],
  },
  {
    kind: 'latency',
    bench: 'pod-startup',
    name: 'pod-startup-single',
    title: 'Pod startup, single pods: kubelite vs Docker',
    sources: [
      { path: 'single.createToReadyMs', series: 'kubelite create → Ready' },
      { path: 'single.scheduledCreateToReadyMs', series: 'kubelite via scheduler' },
      { path: 'single.peers.{peer}', series: '{peer}' },
    ],
  },
  {
    kind: 'latency',
    bench: 'pod-startup',
    name: 'pod-startup-burst',
    title: 'Pod startup, burst: kubelite vs Docker engine',
    sources: [
      { path: 'burst.createToReadyMs', series: 'kubelite create → Ready' },
      { path: 'burst.peers.engineInfraPlusAppAtOnceMs', series: 'engine infra + app at once' },
    ],
    references: [{ value: 3000, label: 'goal p99 3 s' }],
  },
  {
    kind: 'bars',
    bench: 'proxy',
    name: 'proxy-throughput-{scenario}',
    title: 'Proxy: req/s, {scenario}',
    yLabel: 'req/s',
    sources: [
      { path: 'results.{scenario}.{target}.requestsPerSecond', group: '{scenario}', bar: '{target}' },
    ],
  },
  {
    kind: 'latency',
    bench: 'proxy',
    name: 'proxy-latency-{scenario}',
    title: 'Proxy: latency, {scenario}',
    sources: [{ path: 'results.{scenario}.{target}.latencyMs', series: '{target}' }],
  },
  {
    kind: 'latency',
    bench: 'proxy',
    name: 'proxy-network-programming',
    title: 'Proxy: network programming latency',
    sources: [{ path: 'networkProgrammingMs', series: 'endpoint change → routed' }],
    references: [{ value: 50, label: 'goal p99 50 ms' }],
  },
  {
    kind: 'bars',
    bench: 'cluster-scale',
    name: 'cluster-scale-api-p99-{nodes}',
    title: 'Cluster scale, {nodes} nodes: API call p99',
    yLabel: 'ms',
    sources: [{ path: 'results[nodes=*].api[call=*].p99Ms', group: '{call}', bar: 'p99' }],
    references: [{ value: 1000, label: 'SLO 1 s (mutating, get)' }],
  },
  {
    kind: 'latency',
    bench: 'cluster-scale',
    name: 'cluster-scale-pod-startup',
    title: 'Cluster scale: pod startup (create → Running)',
    sources: [
      { path: 'results[nodes=*].podStartupMs', series: '{nodes} nodes, latency pods' },
      { path: 'results[nodes=*].saturationPodStartupMs', series: '{nodes} nodes, saturation' },
    ],
    references: [{ value: 5000, label: 'SLO 5 s' }],
  },
];
