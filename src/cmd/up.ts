// `kubelite up`: a whole cluster on this machine (apiserver, scheduler, controller-manager, and a
// kubelet and a proxy per node) as supervised child processes. Every flag is also KUBELITE_<FLAG>
// (upper case, dashes as underscores); flags win. The supervisor itself is src/up/. Its flags:
// `flagDocs` below; the defaults are src/up/options.ts's.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { previewCluster, type RunningCluster, startCluster } from '../up/cluster.js';
import { componentKinds, defaultDataDir, type ProxyMode, type RuntimeKind } from '../up/options.js';
import { createTerminalReporter, type StatusReporter, wantsColor } from '../up/status.js';
import { type FlagDocs, helpText } from './common.js';

export const flags = {
  nodes: { type: 'string' },
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  storage: { type: 'string' },
  runtime: { type: 'string' },
  'proxy-mode': { type: 'string' },
  'log-level': { type: 'string' },
  'node-name-prefix': { type: 'string' },
  'node-address-base': { type: 'string' },
  'service-cluster-ip-range': { type: 'string' },
  'stop-timeout-seconds': { type: 'string' },
  'apiserver-arg': { type: 'string', multiple: true },
  'scheduler-arg': { type: 'string', multiple: true },
  'controller-manager-arg': { type: 'string', multiple: true },
  'kubelet-arg': { type: 'string', multiple: true },
  'proxy-arg': { type: 'string', multiple: true },
  'print-config': { type: 'boolean' },
  insecure: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const componentArg = (component: string) => ({
  value: 'FLAG=VALUE',
  meaning: `one more flag for every ${component} (repeatable; wins over up's own)`,
});

const flagDocs: FlagDocs<typeof flags> = {
  nodes: { value: 'N', meaning: 'nodes on this machine (0 = master only)', default: '1' },
  'data-dir': {
    value: 'DIR',
    meaning: 'store, logs, kubeconfig, certificates, node state',
    default: '~/.kubelite',
  },
  port: { value: 'N', meaning: 'apiserver port; 0 = free ports for every component', default: '8080' },
  storage: {
    value: 'URL',
    meaning: 'embedded:///dir or etcd://host:port[,…][/prefix]',
    default: 'embedded://<data-dir>/store',
  },
  runtime: {
    value: 'KIND',
    meaning: 'auto, docker, process or fake (auto: see above)',
    default: 'auto',
  },
  'proxy-mode': { value: 'MODE', meaning: "the proxies' data path: tcp, http or kernel", default: 'tcp' },
  'log-level': { value: 'LEVEL', meaning: "every component's log level", default: 'info' },
  'node-name-prefix': { value: 'NAME', meaning: 'nodes are NAME-1 … NAME-N', default: 'node' },
  'node-address-base': { value: 'A.B.C', meaning: 'node N listens on A.B.C.N', default: '127.0.1' },
  'service-cluster-ip-range': { value: 'CIDR', meaning: 'service cluster IPs', default: '127.10.0.0/16' },
  'stop-timeout-seconds': { value: 'N', meaning: 'SIGTERM → SIGKILL per component on stop', default: '10' },
  'apiserver-arg': componentArg('apiserver'),
  'scheduler-arg': componentArg('scheduler'),
  'controller-manager-arg': componentArg('controller-manager'),
  'kubelet-arg': componentArg('kubelet'),
  'proxy-arg': componentArg('proxy'),
  'print-config': { meaning: 'print what would run (JSON) and exit' },
  insecure: { meaning: 'plain HTTP, no authentication (default: TLS, Node+RBAC)' },
};

export const upUsage = helpText({
  usage: 'up [flags]',
  about: `Runs a cluster on this machine: apiserver, scheduler, controller-manager, and a kubelet and a proxy per
node, each a child process with its log in <data-dir>/logs/<component>.log. Waits until every node is
Ready, then prints the server URL and a kubeconfig for kubectl. Ctrl-C stops the cluster in order.
By default every component gets a certificate and the admin kubeconfig is in system:masters
(docs/security.md). --runtime auto: docker when a Docker daemon answers and has kubelite/pause:latest,
else process. --kubelet-arg heartbeat-period=2s passes --heartbeat-period=2s to every kubelet.`,
  flags,
  docs: flagDocs,
  example: 'KUBELITE_NODES=3, KUBELITE_DATA_DIR=/tmp/k',
  notes: `The repeatable ones take one variable with space-separated values (KUBELITE_KUBELET_ARG="a=1 b=2").
On Ctrl-C the kubelets stop and leave their containers running; the next \`kubelite up\` on the same
data dir adopts them. \`kubelite down\` stops a running up and removes the containers.`,
});

type Values = Record<string, string | boolean | string[] | undefined>;

/** The flag's value, else KUBELITE_<FLAG>, else undefined. */
export function setting(
  values: Values,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const v = values[name];
  if (typeof v === 'string') return v;
  if (v === true) return 'true';
  return env[`KUBELITE_${name.toUpperCase().replaceAll('-', '_')}`];
}

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

/** A repeatable flag's values, else its KUBELITE_<FLAG> variable split on whitespace. */
function repeated(values: Values, name: string, env: NodeJS.ProcessEnv): string[] {
  const v = values[name];
  if (Array.isArray(v)) return v;
  return (env[`KUBELITE_${name.toUpperCase().replaceAll('-', '_')}`] ?? '').split(/\s+/).filter(Boolean);
}

function flag(text: string | undefined): boolean {
  return text === 'true' || text === '1';
}

export function readUpFlags(argv: string[], env: NodeJS.ProcessEnv = process.env) {
  const { values } = parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false });
  const get = (name: keyof typeof flags) => setting(values, name, env);
  const stopTimeoutSeconds = integer('stop-timeout-seconds', get('stop-timeout-seconds'));
  return {
    help: flag(get('help')),
    printConfig: flag(get('print-config')),
    options: {
      dataDir: get('data-dir') || defaultDataDir(),
      nodes: integer('nodes', get('nodes')),
      port: integer('port', get('port')),
      storage: get('storage') || undefined,
      runtime: (get('runtime') || undefined) as RuntimeKind | 'auto' | undefined,
      proxyMode: (get('proxy-mode') || undefined) as ProxyMode | undefined,
      logLevel: get('log-level') || undefined,
      nodeNamePrefix: get('node-name-prefix') || undefined,
      nodeAddressBase: get('node-address-base') || undefined,
      serviceClusterIpRange: get('service-cluster-ip-range') || undefined,
      stopTimeoutMs: stopTimeoutSeconds === undefined ? undefined : stopTimeoutSeconds * 1000,
      componentArgs: Object.fromEntries(componentKinds.map((k) => [k, repeated(values, `${k}-arg`, env)])),
      insecure: flag(get('insecure')),
    },
  };
}

function printSummary(reporter: StatusReporter, cluster: RunningCluster, tookMs: number): void {
  const { layout } = cluster;
  reporter.say(`\ncluster ready in ${(tookMs / 1000).toFixed(1)}s`, 'ok');
  reporter.say(`  server      ${layout.server}`);
  reporter.say(`  kubeconfig  ${layout.kubeconfigPath}`);
  reporter.say(`  try         kubectl --kubeconfig ${layout.kubeconfigPath} get nodes`);
  reporter.say(`  logs        ${join(layout.logDir, '<component>.log')}`);
  reporter.say(
    'Ctrl-C stops the cluster; containers keep running and the next `kubelite up` adopts them (`kubelite down` removes them).',
    'dim',
  );
}

export async function main(argv: string[]): Promise<number> {
  const { help, printConfig, options } = readUpFlags(argv);
  if (help) {
    process.stdout.write(upUsage);
    return 0;
  }
  if (printConfig) {
    const preview = await previewCluster(options);
    if (!preview.ok) throw new Error(preview.message);
    const { ok: _, ...config } = preview;
    const commands = preview.components.map((c) => `kubelite ${c.args.join(' ')}`);
    process.stdout.write(`${JSON.stringify({ ...config, commands }, null, 2)}\n`);
    return 0;
  }

  const reporter = createTerminalReporter({
    write: (text) => process.stdout.write(text),
    color: wantsColor(process.stdout),
  });
  const abort = new AbortController();
  let cluster: RunningCluster | undefined;
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received++;
    if (received === 1) {
      reporter.say(`\n${signal}: stopping the cluster (again to kill it at once)`, 'warn');
      abort.abort();
    } else {
      reporter.say(`${signal}: killing every component`, 'bad');
      void cluster?.kill();
    }
  };
  // SIGHUP too: a closed terminal stops the cluster cleanly instead of killing the supervisor.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  // Signal handlers and pending promises do not keep Node running; this does, until we are done.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const startedAt = Date.now();
  try {
    reporter.say(`kubelite up: data dir ${options.dataDir}`, 'info');
    const result = await startCluster({ ...options, reporter }, abort.signal);
    if (!result.ok) {
      reporter.say(`kubelite up: ${result.message}`, result.reason === 'Aborted' ? 'warn' : 'bad');
      return result.reason === 'Aborted' ? 0 : 1;
    }
    cluster = result.cluster;
    const running = cluster;
    const hint = setTimeout(() => {
      const waiting = running.readiness().filter((r) => r.ready !== 'True');
      for (const r of waiting) {
        reporter.say(
          `still waiting for ${r.name} (${r.ready}): see ${join(running.layout.logDir, `kubelet-${r.name}.log`)}`,
          'warn',
        );
      }
    }, 60_000);
    if (await cluster.nodesReady(abort.signal)) printSummary(reporter, cluster, Date.now() - startedAt);
    clearTimeout(hint);
    if (!abort.signal.aborted)
      await new Promise((done) => abort.signal.addEventListener('abort', done, { once: true }));
    await cluster.stop();
    const kept = cluster.layout.nodes.length > 0 && cluster.layout.runtime !== 'fake';
    reporter.say(
      `cluster stopped${kept ? '; pod containers keep running for the next `kubelite up`' : ''}`,
      'dim',
    );
    return 0;
  } finally {
    clearInterval(keepAlive);
    for (const s of signals) process.off(s, onSignal);
  }
}
