// `kubelite proxy`: the per-node service load balancer (src/proxy/). Its flags: `flagDocs` below.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { createClient } from '../client/rest.js';
import { createRegistry } from '../metrics/registry.js';
import type { ProxyMode } from '../proxy/config.js';
import type { TcpEngine } from '../proxy/l4/tcp-handler.js';
import { createProxyServer } from '../proxy/proxy-server.js';
import { createLogger } from '../util/log.js';
import {
  apiClientOptions,
  boolean,
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
  'node-name': { type: 'string' },
  'node-address': { type: 'string' },
  'node-port-addresses': { type: 'string', multiple: true },
  'proxy-mode': { type: 'string' },
  'bind-cluster-ips': { type: 'string' },
  engine: { type: 'string' },
  ...metricsFlags,
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const defaultMetricsPort = 10249;

const flagDocs: FlagDocs<typeof flags> = {
  ...connectionFlagDocs,
  'node-name': { value: 'NAME', meaning: 'this node', default: 'the host name' },
  'node-address': { value: 'IP', meaning: 'node ports are served here (and /metrics)' },
  'node-port-addresses': {
    value: 'LIST',
    meaning: 'more node port addresses: IPv4s or interfaces (kubelite0 = the Docker bridge)',
  },
  'proxy-mode': {
    value: 'MODE',
    meaning: 'default data path: tcp, http or kernel (nftables, root)',
    default: 'tcp',
  },
  'bind-cluster-ips': {
    value: 'true|false',
    meaning: 'false when another proxy on this machine binds the cluster IPs',
    default: 'true',
  },
  engine: {
    value: 'ENGINE',
    meaning: 'userspace engine: native, native-splice (tcp) or js',
    default: 'native',
  },
  ...metricsFlagDocs(defaultMetricsPort, 'the node address, else 127.0.0.1'),
  'log-level': logLevelFlagDoc,
};

export const usage = helpText({
  usage: 'proxy --server URL | --kubeconfig PATH [flags]',
  about: `Serves this node's share of every service: cluster IPs and node ports, balanced over the ready
endpoints. One of --server and --kubeconfig is required. The annotation kubelite.io/proxy-mode
overrides --proxy-mode per service. Lists (LIST) are comma-separated or the flag repeated.`,
  flags,
  docs: flagDocs,
  example: 'KUBELITE_PROXY_MODE=kernel',
});

const modes: readonly ProxyMode[] = ['tcp', 'http', 'kernel'];
const engines: readonly TcpEngine[] = ['native', 'native-splice', 'js'];

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: flags, strict: true });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const clientOptions = apiClientOptions(values);
  const mode = (setting(values, 'proxy-mode') || 'tcp') as ProxyMode;
  if (!modes.includes(mode)) throw new Error(`--proxy-mode: one of ${modes.join(', ')}; got "${mode}"`);
  const engine = (setting(values, 'engine') || 'native') as TcpEngine;
  if (!engines.includes(engine)) throw new Error(`--engine: one of ${engines.join(', ')}; got "${engine}"`);
  const nodeName = setting(values, 'node-name') || hostname();

  const logger = createLogger({ component: 'proxy', level: setting(values, 'log-level') });
  const registry = createRegistry({ component: 'proxy', processMetrics: true });
  const client = createClient({ ...clientOptions, registry });
  const proxy = createProxyServer({
    client,
    nodeName,
    nodeAddress: setting(values, 'node-address') || undefined,
    nodePortAddresses: list(setting(values, 'node-port-addresses')),
    mode,
    bindClusterIPs: boolean('bind-cluster-ips', setting(values, 'bind-cluster-ips'), true),
    metricsPort: integer('metrics-port', setting(values, 'metrics-port'), defaultMetricsPort),
    metricsHost: setting(values, 'metrics-host') || undefined,
    tcp: { engine },
    http: { engine: engine === 'js' ? 'js' : 'native' },
    logger,
    registry,
  });
  logger.info({ server: clientOptions.server, node: nodeName, mode }, 'proxy starting');

  const stop = stopOnSignals();
  const running = proxy.run(stop.signal);
  try {
    // A start-up failure rejects `running` (ready() rejects too: ignored here, thrown below).
    await Promise.race([proxy.ready().catch(() => {}), running]);
    if (proxy.isReady()) {
      process.stdout.write(`kubelite proxy ${nodeName} listening (metrics on ${proxy.metricsUrl})\n`);
    }
    await running;
  } finally {
    stop.dispose();
    await client.close();
    logger.flush();
  }
  return 0;
}
