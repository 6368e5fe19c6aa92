// `kubelite kubelet`: the node agent. Flags (each also KUBELITE_<FLAG>, upper case, dashes as
// underscores; flags win):
//   --server URL                   apiserver URL (or from --kubeconfig)
//   --kubeconfig PATH              kubeconfig file (current context: server, token, TLS)
//   --node-name NAME               the Node to register (default: the host name)
//   --runtime docker|process|fake  container runtime (default docker when /var/run/docker.sock exists)
//   --address IP                   node address: InternalIP, pods' hostIP, kubelet API (127.0.0.1)
//   --port N                       kubelet API port, 0 = any free port (10250)
//   --heartbeat-period DURATION    node status heartbeat (10s)
//   --node-status-report-period D  full node status re-sent (5m)
//   --restart-backoff-initial D    crash-loop back-off start (10s)
//   --restart-backoff-max D        crash-loop back-off cap (5m)
//   --pod-cidr CIDR                pod IP range (process: loopback, default 127.1.0.0/24; fake)
//   --max-pods N                   capacity.pods (110)
//   --max-concurrent-syncs N       pods syncing at once (32)
//   --node-labels k=v,k2=v2        extra Node labels
//   --root-dir PATH                emptyDir volumes (<tmp>/kubelite-kubelet/<node>)
//   --state-dir PATH               process runtime state (<tmp>/kubelite-process/<node>)
//   --log-level LEVEL              pino level (info)
//   --tls-cert-file FILE           serve the kubelet API over HTTPS with this certificate …
//   --tls-private-key-file FILE    … and key
//   --client-ca-file FILE          only clients with certificates of this CA: the apiserver's kubelet
//                                  client and system:masters (docs/security.md); /healthz stays open
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { clientOptionsFromKubeconfig, loadKubeconfig } from '../client/kubeconfig.js';
import { createClient } from '../client/rest.js';
import type { ClientOptions } from '../client/transport.js';
import { createKubelet } from '../kubelet/index.js';
import { createRuntime } from '../kubelet/runtime/index.js';
import type { RuntimeKind } from '../kubelet/runtime/types.js';
import { createRegistry } from '../metrics/registry.js';
import { kubeletApiAccess } from '../pki/kubelet-access.js';
import { createLogger } from '../util/log.js';

const flags = {
  server: { type: 'string' },
  kubeconfig: { type: 'string' },
  'node-name': { type: 'string' },
  runtime: { type: 'string' },
  address: { type: 'string' },
  port: { type: 'string' },
  'heartbeat-period': { type: 'string' },
  'node-status-report-period': { type: 'string' },
  'restart-backoff-initial': { type: 'string' },
  'restart-backoff-max': { type: 'string' },
  'pod-cidr': { type: 'string' },
  'max-pods': { type: 'string' },
  'max-concurrent-syncs': { type: 'string' },
  'node-labels': { type: 'string' },
  'root-dir': { type: 'string' },
  'state-dir': { type: 'string' },
  'log-level': { type: 'string' },
  'tls-cert-file': { type: 'string' },
  'tls-private-key-file': { type: 'string' },
  'client-ca-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const usage = `Usage: kubelite kubelet --server URL [--kubeconfig PATH] [--node-name NAME]
       [--runtime docker|process|fake] [--address IP] [--port N] [--heartbeat-period 10s]
       [--restart-backoff-initial 10s] [--restart-backoff-max 5m] [--pod-cidr CIDR] [--max-pods N]
       [--node-labels k=v,...] [--root-dir PATH] [--state-dir PATH] [--log-level LEVEL]
       [--tls-cert-file FILE --tls-private-key-file FILE [--client-ca-file FILE]]

Every flag can be given as KUBELITE_<FLAG> in the environment (e.g. KUBELITE_NODE_NAME).
`;

/** "90s", "5m", "1h", "1500ms" or plain milliseconds. */
export function parseDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`invalid duration "${text}": use e.g. 500ms, 30s, 5m, 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

function integer(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`--${name}: expected a non-negative integer, got "${text}"`);
  return Number(text);
}

function labels(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--node-labels: expected k=v pairs, got "${pair}"`);
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: flags, strict: true });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const setting = (name: keyof typeof flags): string | undefined => {
    const v = values[name];
    if (typeof v === 'string') return v;
    return process.env[`KUBELITE_${name.toUpperCase().replaceAll('-', '_')}`] || undefined;
  };
  const duration = (name: keyof typeof flags): number | undefined => {
    const v = setting(name);
    return v === undefined ? undefined : parseDurationMs(v);
  };
  const server = setting('server');
  const kubeconfig = setting('kubeconfig');
  if (!server && !kubeconfig) throw new Error('--server or --kubeconfig is required');
  const clientOptions: ClientOptions = kubeconfig
    ? { ...clientOptionsFromKubeconfig(loadKubeconfig(kubeconfig)), ...(server ? { server } : {}) }
    : { server: server! };
  const kind = setting('runtime') as RuntimeKind | undefined;
  if (kind && kind !== 'docker' && kind !== 'process' && kind !== 'fake') {
    throw new Error(`--runtime: expected docker, process or fake, got "${kind}"`);
  }
  const nodeName = setting('node-name') ?? hostname();
  const address = setting('address') ?? '127.0.0.1';
  const podCidr = setting('pod-cidr');
  const certFile = setting('tls-cert-file');
  const keyFile = setting('tls-private-key-file');
  const clientCaFile = setting('client-ca-file');
  if (!certFile !== !keyFile) throw new Error('--tls-cert-file and --tls-private-key-file go together');
  if (clientCaFile && !certFile)
    throw new Error('--client-ca-file needs --tls-cert-file and --tls-private-key-file');
  const tls = certFile
    ? {
        cert: readFileSync(certFile),
        key: readFileSync(keyFile!),
        ...(clientCaFile ? { clientCA: readFileSync(clientCaFile) } : {}),
      }
    : undefined;

  const logger = createLogger({ component: 'kubelet', level: setting('log-level') });
  const registry = createRegistry({ component: 'kubelet', processMetrics: true });
  const client = createClient({ ...clientOptions, registry });
  const runtime = await createRuntime({
    kind,
    nodeName,
    hostPortAddress: address,
    ...(podCidr ? { podCidr } : {}),
    ...(setting('state-dir') ? { stateDir: setting('state-dir') } : {}),
    logger,
  });
  const initialMs = duration('restart-backoff-initial');
  const maxMs = duration('restart-backoff-max');
  const kubelet = createKubelet({
    client,
    nodeName,
    runtime,
    nodeAddress: address,
    port: integer('port', setting('port'), 10250),
    heartbeatPeriodMs: duration('heartbeat-period'),
    nodeStatusReportMs: duration('node-status-report-period'),
    restartBackoff: {
      ...(initialMs !== undefined ? { initialMs } : {}),
      ...(maxMs !== undefined ? { maxMs } : {}),
    },
    podCidr,
    maxPods: integer('max-pods', setting('max-pods'), 110),
    maxConcurrentSyncs: integer('max-concurrent-syncs', setting('max-concurrent-syncs'), 32),
    nodeLabels: labels(setting('node-labels')),
    ...(setting('root-dir') ? { rootDir: setting('root-dir') } : {}),
    ...(tls ? { tls } : {}),
    ...(tls?.clientCA ? { authorizeApi: kubeletApiAccess() } : {}),
    logger,
    registry,
  });

  const stop = new AbortController();
  const onSignal = (signal: string) => {
    logger.info({ signal }, 'stopping');
    stop.abort();
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  const running = kubelet.run(stop.signal);
  try {
    await kubelet.started();
    process.stdout.write(
      `kubelite kubelet ${nodeName} (${runtime.kind}) listening on ${tls ? 'https' : 'http'}://${address}:${kubelet.port}\n`,
    );
    await running;
  } finally {
    stop.abort();
    await running.catch(() => {});
    await runtime.close();
    await client.close();
    logger.flush();
  }
  return 0;
}
