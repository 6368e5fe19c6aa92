// `kubelite controller-manager`: replication, endpoints, node lifecycle and garbage collection.
// Flags (each also KUBELITE_<FLAG>, e.g. KUBELITE_NODE_MONITOR_GRACE_PERIOD=40s):
//   --server URL                        apiserver URL (or from --kubeconfig)
//   --kubeconfig PATH                   kubeconfig file (current context: server, token, TLS)
//   --controllers LIST                  which to run: replication,endpoints,nodelifecycle,garbagecollector;
//                                       "*" = all (default); "-name" switches one off ("*,-garbagecollector")
//   --disable-controller NAME           switch one off (repeatable, or a comma list)
//   --node-monitor-grace-period D       no heartbeat for this long → node Unknown and tainted (40s)
//   --node-startup-grace-period D       the same before a node's first Ready condition (1m)
//   --pod-eviction-timeout D            untolerating pods leave a tainted node after this (1m)
//   --endpoint-updates-batch-period D   fold pod-driven endpoint writes over this period (0)
//   --concurrent-rc-syncs N             replication workers (5)
//   --concurrent-endpoint-syncs N       endpoints workers (5)
//   --concurrent-gc-syncs N             garbage collector workers (4)
//   --metrics-port N                    /metrics, /healthz, /readyz (10252; 0 = any free port)
//   --metrics-host HOST                 address of that port (127.0.0.1)
//   --log-level LEVEL                   pino level (info)
// Durations are Go-style: 40s, 5m, 1m30s, 500ms.
import { parseArgs } from 'node:util';
import { createClient } from '../client/rest.js';
import { parseDurationMs } from '../controller/duration.js';
import { type ControllerName, controllerNames, createControllerManager } from '../controller/manager.js';
import { nodeLifecycleDefaults } from '../controller/nodelifecycle/controller.js';
import { createRegistry } from '../metrics/registry.js';
import { startStatusServer } from '../metrics/status-server.js';
import { createLogger } from '../util/log.js';
import { apiClientOptions, integer, setting, stopOnSignals } from './common.js';

const flags = {
  server: { type: 'string' },
  kubeconfig: { type: 'string' },
  controllers: { type: 'string' },
  'disable-controller': { type: 'string', multiple: true },
  'node-monitor-grace-period': { type: 'string' },
  'node-startup-grace-period': { type: 'string' },
  'pod-eviction-timeout': { type: 'string' },
  'endpoint-updates-batch-period': { type: 'string' },
  'concurrent-rc-syncs': { type: 'string' },
  'concurrent-endpoint-syncs': { type: 'string' },
  'concurrent-gc-syncs': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

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
    process.stdout.write(
      'Usage: kubelite controller-manager --server URL [--kubeconfig PATH] [--controllers LIST | --disable-controller NAME]\n' +
        '       [--node-monitor-grace-period 40s] [--pod-eviction-timeout 1m] [--metrics-port N]\n',
    );
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
      replication: integer('concurrent-rc-syncs', setting(values, 'concurrent-rc-syncs'), 5, 1),
      endpoints: integer('concurrent-endpoint-syncs', setting(values, 'concurrent-endpoint-syncs'), 5, 1),
      garbageCollector: integer('concurrent-gc-syncs', setting(values, 'concurrent-gc-syncs'), 4, 1),
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
    host: setting(values, 'metrics-host') || '127.0.0.1',
    port: integer('metrics-port', setting(values, 'metrics-port'), 10252),
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
