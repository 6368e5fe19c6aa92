// `kubelite kubelet`: the node agent (src/kubelet/). Its flags: `flagDocs` below; the defaults not
// set here are createKubelet's and createRuntime's.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { clientOptionsFromKubeconfig, loadKubeconfig } from '../client/kubeconfig.js';
import { createClient } from '../client/rest.js';
import type { ClientOptions } from '../client/transport.js';
import { createKubelet, defaultRestartBackoff } from '../kubelet/index.js';
import { createRuntime } from '../kubelet/runtime/index.js';
import type { RuntimeKind } from '../kubelet/runtime/types.js';
import { createRegistry } from '../metrics/registry.js';
import { kubeletApiAccess } from '../pki/kubelet-access.js';
import { createLogger } from '../util/log.js';
import {
  connectionFlagDocs,
  connectionFlags,
  durationText,
  type FlagDocs,
  helpText,
  logLevelFlagDoc,
} from './common.js';

export const flags = {
  ...connectionFlags,
  'node-name': { type: 'string' },
  runtime: { type: 'string' },
  address: { type: 'string' },
  port: { type: 'string' },
  'heartbeat-period': { type: 'string' },
  'node-status-report-frequency': { type: 'string' },
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

const defaultPort = 10250;

const flagDocs: FlagDocs<typeof flags> = {
  ...connectionFlagDocs,
  'node-name': { value: 'NAME', meaning: 'the Node to register', default: 'the host name' },
  runtime: {
    value: 'KIND',
    meaning: 'container runtime: docker, process or fake',
    default: 'docker if /var/run/docker.sock exists, else process',
  },
  address: {
    value: 'IP',
    meaning: "node address: InternalIP, pods' hostIP, API, host ports",
    default: '127.0.0.1',
  },
  port: { value: 'N', meaning: 'kubelet API port; 0 = any free port', default: String(defaultPort) },
  'heartbeat-period': {
    value: 'D',
    meaning: 'node Lease renewal, and check of the node status for changes',
    default: '10s',
  },
  'node-status-report-frequency': {
    value: 'D',
    meaning: 'an unchanged node status is still written this often',
    default: '5m',
  },
  'node-status-report-period': { value: 'D', meaning: 'old name of --node-status-report-frequency' },
  'restart-backoff-initial': {
    value: 'D',
    meaning: 'crash-loop back-off start (doubles)',
    default: durationText(defaultRestartBackoff.initialMs),
  },
  'restart-backoff-max': {
    value: 'D',
    meaning: 'crash-loop back-off cap',
    default: durationText(defaultRestartBackoff.maxMs),
  },
  'pod-cidr': {
    value: 'CIDR',
    meaning: 'pod IPs of the process and fake runtimes (docker: its bridge)',
    default: 'process 127.1.0.0/24, fake 10.88.0.0/16',
  },
  'max-pods': { value: 'N', meaning: 'capacity.pods', default: '110' },
  'max-concurrent-syncs': { value: 'N', meaning: 'pods syncing at once', default: '32' },
  'node-labels': { value: 'k=v,…', meaning: 'extra Node labels' },
  'root-dir': { value: 'PATH', meaning: 'emptyDir volumes', default: '<tmp>/kubelite-kubelet/<node>' },
  'state-dir': {
    value: 'PATH',
    meaning: "the process runtime's records and container logs",
    default: '<tmp>/kubelite-process/<node>',
  },
  'log-level': logLevelFlagDoc,
  'tls-cert-file': { value: 'FILE', meaning: 'serve the kubelet API over HTTPS with this certificate (PEM)' },
  'tls-private-key-file': { value: 'FILE', meaning: '… and this key (without both: plain HTTP)' },
  'client-ca-file': {
    value: 'FILE',
    meaning: 'require client certificates of this CA (but /healthz); docs/security.md',
  },
};

export const usage = helpText({
  usage: 'kubelet --server URL | --kubeconfig PATH [flags]',
  about: `Registers this machine as a Node and runs the pods bound to it. One of --server and --kubeconfig
is required. Durations (D): 500ms, 30s, 5m, 1h (a bare number is milliseconds). The kubelet API
serves /healthz (always open), /pods, /metrics and /containerLogs/{namespace}/{pod}/{container}.`,
  flags,
  docs: flagDocs,
  example: 'KUBELITE_NODE_NAME=node-1',
});

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
    port: integer('port', setting('port'), defaultPort),
    heartbeatPeriodMs: duration('heartbeat-period'),
    nodeStatusReportMs: duration('node-status-report-frequency') ?? duration('node-status-report-period'),
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
