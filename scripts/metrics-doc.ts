// Regenerates docs/metrics.md from the live components: starts each one (test/harness/
// metrics-cluster.ts), reads its /metrics and renders the reference (test/harness/metrics-doc.ts).
//   npx tsx scripts/metrics-doc.ts [--out docs/metrics.md]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { startMetricsCluster } from '../test/harness/metrics-cluster.js';
import { describeMetrics, type MetricInfo, renderMetricsDoc } from '../test/harness/metrics-doc.js';

const { values } = parseArgs({
  options: { out: { type: 'string', default: join(import.meta.dirname, '..', 'docs', 'metrics.md') } },
});
const cluster = await startMetricsCluster();
try {
  const byComponent: Record<string, MetricInfo[]> = {};
  for (const [name, url] of Object.entries(cluster.urls)) {
    const res = await request(`${url}/metrics`);
    byComponent[name] = describeMetrics(await res.body.text());
  }
  writeFileSync(values.out!, renderMetricsDoc(byComponent));
  process.stdout.write(`${values.out}\n`);
} finally {
  await cluster.stop();
}
