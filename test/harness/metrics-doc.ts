// docs/metrics.md from what the components actually export: each component's /metrics text is read
// for names, types, help and the labels its samples carry; the page is rendered from that, and the
// promtool suite checks the page against live exports so it cannot drift (regenerate with
// `npx tsx scripts/metrics-doc.ts`).
import { parsePrometheusText } from '../../bench/lib/prometheus-text.js';

export interface MetricInfo {
  name: string;
  type: string;
  help: string;
  labels: string[];
  /** False when the scrape had no sample of it (its labels are then unknown). */
  observed: boolean;
}

/** prom-client's process and Node.js metrics: listed once per component, not one by one. */
export const isProcessMetric = (name: string) => name.startsWith('process_') || name.startsWith('nodejs_');

const ignoredLabels = new Set(['le', 'quantile', 'component']);
const suffixes = ['_bucket', '_count', '_sum'];

export function describeMetrics(text: string): MetricInfo[] {
  const infos = new Map<string, MetricInfo>();
  const info = (name: string) => {
    let i = infos.get(name);
    if (!i) infos.set(name, (i = { name, type: 'untyped', help: '', labels: [], observed: false }));
    return i;
  };
  for (const line of text.split('\n')) {
    const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'HELP') info(m[2]!).help = m[3]!.replace(/\\n/g, ' ').replace(/\\\\/g, '\\');
    else info(m[2]!).type = m[3]!;
  }
  const baseName = (name: string) => {
    if (infos.has(name)) return name;
    for (const s of suffixes)
      if (name.endsWith(s) && infos.has(name.slice(0, -s.length))) return name.slice(0, -s.length);
    return name;
  };
  for (const sample of parsePrometheusText(text)) {
    const i = info(baseName(sample.name));
    i.observed = true;
    for (const label of Object.keys(sample.labels))
      if (!ignoredLabels.has(label) && !i.labels.includes(label)) i.labels.push(label);
  }
  return [...infos.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const header = `# Metrics reference

Every kubelite component serves Prometheus metrics in the text format on \`/metrics\` (plain HTTP, on
loopback by default). Names follow Kubernetes where Kubernetes has the same metric
(\`apiserver_request_duration_seconds\`, \`kubelet_pod_start_duration_seconds\`,
\`scheduler_schedule_attempts_total\`, \`kubeproxy_network_programming_duration_seconds\`, …), so existing
dashboards and alerts apply; kubelite's own carry a \`kubelite_\` prefix. Every series also has a
\`component\` label naming the component that exported it.

| component | where /metrics is served (\`kubelite up\` defaults) | flag |
|---|---|---|
| apiserver | \`127.0.0.1:8080\` (the API port) | \`--port\` |
| scheduler | \`127.0.0.1:10251\` | \`--metrics-port\`, \`--metrics-host\` |
| controller-manager | \`127.0.0.1:10252\` | \`--metrics-port\`, \`--metrics-host\` |
| kubelet | \`<node address>:10250\` (node N: \`127.0.1.N\`) | \`--port\`, \`--address\` |
| proxy | \`<node address>:10249\` | \`--metrics-port\` |

A ready-made scrape config is in [examples/prometheus.yml](../examples/prometheus.yml) and a Grafana
dashboard of the key series in [examples/grafana-dashboard.json](../examples/grafana-dashboard.json)
(import it and pick the Prometheus data source). With \`kubelite up --port 0\` the ports are free ones:
\`<data-dir>/cluster.json\` lists them.

Latency histograms are in seconds. Kubernetes' SLOs read from them: API call latency p99
(\`apiserver_request_duration_seconds\`, WATCH excluded) ≤ 1 s for mutating calls and single-object
gets, ≤ 30 s for lists; pod startup p99 (\`kubelet_pod_start_duration_seconds\`) ≤ 5 s. Every
component's output passes \`promtool check metrics\` (test/prometheus-metrics.test.ts), and the tables
below are generated from the live components by \`npx tsx scripts/metrics-doc.ts\`; the same test
fails when they no longer match what the components export.
`;

const labelText = (m: MetricInfo) =>
  m.labels.map((l) => `\`${l}\``).join(', ') || (m.observed ? '—' : '(no sample when generated)');

export function renderMetricsDoc(byComponent: Record<string, MetricInfo[]>): string {
  const lines = [header];
  for (const [component, metrics] of Object.entries(byComponent)) {
    const own = metrics.filter((m) => !isProcessMetric(m.name));
    const processCount = metrics.length - own.length;
    lines.push(`## ${component}`, '', '| metric | type | labels | meaning |', '|---|---|---|---|');
    for (const m of own)
      lines.push(`| \`${m.name}\` | ${m.type} | ${labelText(m)} | ${m.help.replace(/\|/g, '\\|')} |`);
    if (processCount > 0)
      lines.push(
        '',
        `Plus ${processCount} process metrics of prom-client's default set (\`process_cpu_seconds_total\`, \`process_resident_memory_bytes\`, \`nodejs_eventloop_lag_seconds\`, \`nodejs_heap_size_used_bytes\`, …).`,
      );
    lines.push('');
  }
  return lines.join('\n');
}

/** The metric names the page documents, per component (its `## component` sections). */
export function documentedMetrics(markdown: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let component: string | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^## (\S+)/.exec(line);
    if (heading) out[(component = heading[1]!)] = [];
    const row = /^\| `([a-zA-Z_:][\w:]*)` \|/.exec(line);
    if (row && component) out[component]!.push(row[1]!);
  }
  return out;
}
