// `kubelite scheduler`: binds pending pods to nodes (src/scheduler/). Its flags: `flagDocs` below.
import { parseArgs } from 'node:util';
import { createClient } from '../client/rest.js';
import { createRegistry } from '../metrics/registry.js';
import { startStatusServer } from '../metrics/status-server.js';
import { createScheduler } from '../scheduler/create-scheduler.js';
import { createLogger } from '../util/log.js';
import {
  apiClientOptions,
  connectionFlagDocs,
  connectionFlags,
  type FlagDocs,
  helpText,
  integer,
  logLevelFlagDoc,
  metricsFlagDocs,
  metricsFlags,
  setting,
  stopOnSignals,
} from './common.js';

export const flags = {
  ...connectionFlags,
  'scheduler-name': { type: 'string' },
  ...metricsFlags,
  'percentage-of-nodes-to-score': { type: 'string' },
  'max-in-flight-binds': { type: 'string' },
  'api-connections': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Defaults of this entry's own (the scheduler's are in createScheduler). */
const defaults = {
  'metrics-port': 10251,
  'metrics-host': '127.0.0.1',
  'max-in-flight-binds': 512,
  'api-connections': 32,
};

const flagDocs: FlagDocs<typeof flags> = {
  ...connectionFlagDocs,
  'scheduler-name': {
    value: 'NAME',
    meaning: 'schedule the pods with this spec.schedulerName',
    default: 'default-scheduler',
  },
  ...metricsFlagDocs(defaults['metrics-port'], defaults['metrics-host']),
  'percentage-of-nodes-to-score': {
    value: 'N',
    meaning: '% of the nodes to find feasible before scoring; 0 = adaptive',
    default: '0',
  },
  'max-in-flight-binds': {
    value: 'N',
    meaning: 'bindings outstanding at once',
    default: String(defaults['max-in-flight-binds']),
  },
  'api-connections': {
    value: 'N',
    meaning: 'keep-alive connections to the apiserver',
    default: String(defaults['api-connections']),
  },
  'log-level': logLevelFlagDoc,
};

export const usage = helpText({
  usage: 'scheduler --server URL | --kubeconfig PATH [flags]',
  about:
    'Binds pending pods whose spec.schedulerName is its own to nodes. One of --server and --kubeconfig\nis required.',
  flags,
  docs: flagDocs,
  example: 'KUBELITE_SCHEDULER_NAME=my-scheduler',
});

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: flags, strict: true });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const clientOptions = apiClientOptions(values);

  const logger = createLogger({ component: 'scheduler', level: setting(values, 'log-level') });
  const registry = createRegistry({ component: 'scheduler', processMetrics: true });
  const connections = integer(
    'api-connections',
    setting(values, 'api-connections'),
    defaults['api-connections'],
    1,
  );
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
    maxInFlightBinds: integer(
      'max-in-flight-binds',
      setting(values, 'max-in-flight-binds'),
      defaults['max-in-flight-binds'],
      1,
    ),
  });
  const status = await startStatusServer({
    registry,
    ready: scheduler.hasSynced,
    notReadyMessage: 'informers not synced',
    host: setting(values, 'metrics-host') || defaults['metrics-host'],
    port: integer('metrics-port', setting(values, 'metrics-port'), defaults['metrics-port']),
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
