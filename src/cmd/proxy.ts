// `kubelite proxy`: the per-node service load balancer. Flags (each also KUBELITE_<FLAG>):
//   --server URL                   apiserver URL (or from --kubeconfig)
//   --kubeconfig PATH              kubeconfig file (current context: server, token, TLS)
//   --node-name NAME               this node (default: the host name)
//   --node-address IP              node ports are served here (and /metrics, unless --metrics-host)
//   --node-port-addresses LIST     further node port addresses: IPv4 addresses or interface names
//                                  (kubelite0 = the Docker bridge gateway Docker pods reach the node on)
//   --proxy-mode tcp|http|kernel   default data path (tcp); kernel = nftables DNAT (root)
//   --bind-cluster-ips true|false  false: another proxy on this machine binds cluster IPs (true)
//   --engine native|js             userspace engine (native; tcp also native-splice)
//   --metrics-port N               /metrics, /healthz, /readyz (10249; 0 = any free port)
//   --metrics-host HOST            address of that port (the node address, else 127.0.0.1)
//   --log-level LEVEL              pino level (info)
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { createClient } from '../client/rest.js';
import { createRegistry } from '../metrics/registry.js';
import type { ProxyMode } from '../proxy/config.js';
import type { TcpEngine } from '../proxy/l4/tcp-handler.js';
import { createProxyServer } from '../proxy/proxy-server.js';
import { createLogger } from '../util/log.js';
import { apiClientOptions, boolean, integer, setting, stopOnSignals } from './common.js';

const flags = {
  server: { type: 'string' },
  kubeconfig: { type: 'string' },
  'node-name': { type: 'string' },
  'node-address': { type: 'string' },
  'node-port-addresses': { type: 'string', multiple: true },
  'proxy-mode': { type: 'string' },
  'bind-cluster-ips': { type: 'string' },
  engine: { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const usage = `Usage: kubelite proxy --server URL | --kubeconfig PATH [--node-name NAME] [--node-address IP]
       [--node-port-addresses IP|IFACE,...] [--proxy-mode tcp|http|kernel] [--bind-cluster-ips=true|false]
       [--engine native|js] [--metrics-port N] [--metrics-host HOST] [--log-level LEVEL]

Every flag can be given as KUBELITE_<FLAG> in the environment (e.g. KUBELITE_PROXY_MODE=kernel).
`;

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
    metricsPort: integer('metrics-port', setting(values, 'metrics-port'), 10249),
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
