// `kubelite scheduler`: binds pending pods to nodes. Flags (each also KUBELITE_<FLAG>):
//   --server URL                 apiserver URL (or from --kubeconfig)
//   --kubeconfig PATH            kubeconfig file (current context: server, token, TLS)
//   --scheduler-name NAME        pods with this spec.schedulerName are ours (default-scheduler)
//   --metrics-port N             /metrics, /healthz, /readyz (default 10251; 0 = any free port)
//   --metrics-host HOST          address of that port (127.0.0.1)
//   --percentage-of-nodes-to-score N   0 = adaptive (default), as Kubernetes
//   --max-in-flight-binds N      binds outstanding at once (512)
//   --api-connections N          keep-alive connections to the apiserver (32: binds are many and short)
//   --log-level LEVEL            pino level (info)
import { parseArgs } from 'node:util';
import { createClient } from '../client/rest.js';
import { createRegistry } from '../metrics/registry.js';
import { startStatusServer } from '../metrics/status-server.js';
import { createScheduler } from '../scheduler/create-scheduler.js';
import { createLogger } from '../util/log.js';
import { apiClientOptions, integer, setting, stopOnSignals } from './common.js';

const flags = {
  server: { type: 'string' },
  kubeconfig: { type: 'string' },
  'scheduler-name': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'percentage-of-nodes-to-score': { type: 'string' },
  'max-in-flight-binds': { type: 'string' },
  'api-connections': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: flags, strict: true });
  if (values.help) {
    process.stdout.write(
      'Usage: kubelite scheduler --server URL [--kubeconfig PATH] [--scheduler-name NAME] [--metrics-port N]\n',
    );
    return 0;
  }
  const clientOptions = apiClientOptions(values);

  const logger = createLogger({ component: 'scheduler', level: setting(values, 'log-level') });
  const registry = createRegistry({ component: 'scheduler', processMetrics: true });
  const connections = integer('api-connections', setting(values, 'api-connections'), 32, 1);
  const client = createClient({ ...clientOptions, registry, connections });
  const scheduler = createScheduler({
    client,
    logger,
    registry,
    schedulerName: setting(values, 'scheduler-name') || undefined,
    percentageOfNodesToScore: integer(
      'percentage-of-nodes-to-score',
      setting(values, 'percentage-of-nodes-to-score'),
      0,
    ),
    maxInFlightBinds: integer('max-in-flight-binds', setting(values, 'max-in-flight-binds'), 512, 1),
  });
  const status = await startStatusServer({
    registry,
    ready: scheduler.hasSynced,
    notReadyMessage: 'informers not synced',
    host: setting(values, 'metrics-host') || '127.0.0.1',
    port: integer('metrics-port', setting(values, 'metrics-port'), 10251),
  });
  logger.info({ server: clientOptions.server, metricsPort: status.port }, 'scheduler starting');
  process.stdout.write(`kubelite scheduler serving metrics on ${status.url}\n`);

  const stop = stopOnSignals();
  try {
    await scheduler.run(stop.signal);
  } finally {
    stop.dispose();
    await status.close();
    await client.close();
    logger.info('scheduler stopped');
    logger.flush();
  }
  return 0;
}
