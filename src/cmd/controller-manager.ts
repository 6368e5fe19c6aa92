// `kubelite controller-manager`: replication, endpoints, node lifecycle and garbage collection
// (src/controller/). Its flags: `flagDocs` below.
import { parseArgs } from 'node:util';
import { createClient } from '../client/rest.js';
import { parseDurationMs } from '../controller/duration.js';
import { type ControllerName, controllerNames, createControllerManager } from '../controller/manager.js';
import { nodeLifecycleDefaults } from '../controller/nodelifecycle/controller.js';
import { createRegistry } from '../metrics/registry.js';
import { startStatusServer } from '../metrics/status-server.js';
import { createLogger } from '../util/log.js';
import {
  apiClientOptions,
  connectionFlagDocs,
  connectionFlags,
  durationText,
  type FlagDoc,
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
  controllers: { type: 'string' },
  'disable-controller': { type: 'string', multiple: true },
  'node-monitor-grace-period': { type: 'string' },
  'node-startup-grace-period': { type: 'string' },
  'pod-eviction-timeout': { type: 'string' },
  'endpoint-updates-batch-period': { type: 'string' },
  'concurrent-rc-syncs': { type: 'string' },
  'concurrent-endpoint-syncs': { type: 'string' },
  'concurrent-gc-syncs': { type: 'string' },
  ...metricsFlags,
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Defaults of this entry's own (the node lifecycle's are nodeLifecycleDefaults). */
const defaults = {
  'concurrent-rc-syncs': 5,
  'concurrent-endpoint-syncs': 5,
  'concurrent-gc-syncs': 4,
  'metrics-port': 10252,
  'metrics-host': '127.0.0.1',
};

const workers = (what: string, flag: keyof typeof defaults): FlagDoc => ({
  value: 'N',
  meaning: `${what} workers`,
  default: String(defaults[flag]),
});

const flagDocs: FlagDocs<typeof flags> = {
  ...connectionFlagDocs,
  controllers: { value: 'LIST', meaning: 'which run; * = all, -name switches one off', default: '*' },
  'disable-controller': { value: 'NAME', meaning: 'switch one off (repeatable, or a comma list)' },
  'node-monitor-grace-period': {
    value: 'D',
    meaning: 'no heartbeat for this long: node Unknown and tainted',
    default: durationText(nodeLifecycleDefaults.nodeMonitorGracePeriodMs),
  },
  'node-startup-grace-period': {
    value: 'D',
    meaning: "the same before a node's first Ready condition",
    default: durationText(nodeLifecycleDefaults.nodeStartupGracePeriodMs),
  },
  'pod-eviction-timeout': {
    value: 'D',
    meaning: 'untolerating pods leave a tainted node after this',
    default: durationText(nodeLifecycleDefaults.podEvictionTimeoutMs),
  },
  'endpoint-updates-batch-period': {
    value: 'D',
    meaning: 'fold pod-driven endpoints writes over this period',
    default: '0',
  },
  'concurrent-rc-syncs': workers('replication controller', 'concurrent-rc-syncs'),
  'concurrent-endpoint-syncs': workers('endpoints', 'concurrent-endpoint-syncs'),
  'concurrent-gc-syncs': workers('garbage collector', 'concurrent-gc-syncs'),
  ...metricsFlagDocs(defaults['metrics-port'], defaults['metrics-host']),
  'log-level': logLevelFlagDoc,
};

export const usage = helpText({
  usage: 'controller-manager --server URL | --kubeconfig PATH [flags]',
  about: `Runs the controllers replication, endpoints, nodelifecycle and garbagecollector (Kubernetes'
names work too: replicationcontroller, endpoint, …; e.g. --controllers=*,-garbagecollector).
One of --server and --kubeconfig is required. Durations (D) are Go-style: 500ms, 40s, 5m, 1m30s.`,
  flags,
  docs: flagDocs,
  example: 'KUBELITE_NODE_MONITOR_GRACE_PERIOD=20s',
});

/** Accepted spellings, kubelite's and Kubernetes' (--controllers=replicationcontroller,endpoint,…). */
const aliases: Record<string, ControllerName> = {
  replication: 'replication',
  replicationcontroller: 'replication',
  endpoints: 'endpoints',
  endpoint: 'endpoints',
  nodelifecycle: 'nodeLifecycle',
  'node-lifecycle': 'nodeLifecycle',
  'node-lifecycle-controller': 'nodeLifecycle',
  garbagecollector: 'garbageCollector',
  'garbage-collector': 'garbageCollector',
  gc: 'garbageCollector',
};

function controllerName(text: string): ControllerName {
  const name = aliases[text.trim().toLowerCase()];
  if (!name)
    throw new Error(
      `unknown controller "${text}"; known: replication, endpoints, nodelifecycle, garbagecollector`,
    );
  return name;
}

function duration(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  try {
    return parseDurationMs(text);
  } catch (e) {
    throw new Error(`--${name}: ${(e as Error).message}`);
  }
}

/** Which controllers run, from --controllers and --disable-controller. */
export function enabledControllers(
  list: string | undefined,
  disabled: string | undefined,
): Record<ControllerName, boolean> {
  const on = Object.fromEntries(controllerNames.map((n) => [n, list === undefined || list === ''])) as Record<
    ControllerName,
    boolean
  >;
  for (const item of (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (item === '*') for (const n of controllerNames) on[n] = true;
    else if (item.startsWith('-')) on[controllerName(item.slice(1))] = false;
    else on[controllerName(item)] = true;
  }
  for (const item of (disabled ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean))
    on[controllerName(item)] = false;
  return on;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: flags, strict: true });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const clientOptions = apiClientOptions(values);
  const controllers = enabledControllers(
    setting(values, 'controllers'),
    setting(values, 'disable-controller'),
  );

  const logger = createLogger({ component: 'controller-manager', level: setting(values, 'log-level') });
  const registry = createRegistry({ component: 'controller-manager', processMetrics: true });
  const client = createClient({ ...clientOptions, registry });
  const manager = createControllerManager({
    client,
    controllers,
    logger,
    registry,
    workers: {
      replication: integer(
        'concurrent-rc-syncs',
        setting(values, 'concurrent-rc-syncs'),
        defaults['concurrent-rc-syncs'],
        1,
      ),
      endpoints: integer(
        'concurrent-endpoint-syncs',
        setting(values, 'concurrent-endpoint-syncs'),
        defaults['concurrent-endpoint-syncs'],
        1,
      ),
      garbageCollector: integer(
        'concurrent-gc-syncs',
        setting(values, 'concurrent-gc-syncs'),
        defaults['concurrent-gc-syncs'],
        1,
      ),
    },
    nodeMonitorGracePeriodMs: duration(
      'node-monitor-grace-period',
      setting(values, 'node-monitor-grace-period'),
      nodeLifecycleDefaults.nodeMonitorGracePeriodMs,
    ),
    nodeStartupGracePeriodMs: duration(
      'node-startup-grace-period',
      setting(values, 'node-startup-grace-period'),
      nodeLifecycleDefaults.nodeStartupGracePeriodMs,
    ),
    podEvictionTimeoutMs: duration(
      'pod-eviction-timeout',
      setting(values, 'pod-eviction-timeout'),
      nodeLifecycleDefaults.podEvictionTimeoutMs,
    ),
    endpointUpdatesBatchPeriodMs: duration(
      'endpoint-updates-batch-period',
      setting(values, 'endpoint-updates-batch-period'),
      0,
    ),
  });
  const status = await startStatusServer({
    registry,
    ready: manager.hasSynced,
    notReadyMessage: 'informers not synced',
    host: setting(values, 'metrics-host') || defaults['metrics-host'],
    port: integer('metrics-port', setting(values, 'metrics-port'), defaults['metrics-port']),
  });
  logger.info(
    {
      server: clientOptions.server,
      controllers: manager.controllers.map((c) => c.name),
      metrics: status.url,
    },
    'controller-manager starting',
  );
  process.stdout.write(`kubelite controller-manager: metrics on ${status.url}\n`);

  const stop = stopOnSignals();
  try {
    await manager.run(stop.signal);
  } finally {
    stop.dispose();
    await status.close();
    await client.close();
    logger.info('controller-manager stopped');
  }
  return 0;
}
