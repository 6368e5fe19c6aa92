// `kubelite apiserver`: the Kubernetes v1 REST API over a storage URL. Every flag is also an
// environment variable KUBELITE_<FLAG> (upper case, dashes as underscores); flags win. Its flags:
// `flagDocs` below and the security flags' securityUsage (src/apiserver/auth/flags.ts).
import { parseArgs } from 'node:util';
import {
  type SecurityFlag,
  securityFlags,
  securityOptionsFromFlags,
  securityUsage,
} from '../apiserver/auth/flags.js';
import { createApiServer } from '../apiserver/server.js';
import { createRegistry } from '../metrics/registry.js';
import { createLogger } from '../util/log.js';
import { type FlagDocs, helpText } from './common.js';

export const flags = {
  storage: { type: 'string', default: 'embedded://./kubelite-data' },
  port: { type: 'string', default: '8080' },
  'bind-address': { type: 'string', default: '127.0.0.1' },
  'advertise-address': { type: 'string', default: '' },
  'service-cluster-ip-range': { type: 'string', default: '127.10.0.0/16' },
  'service-node-port-range': { type: 'string', default: '30000-32767' },
  'node-ports-for-all-services': { type: 'boolean', default: false },
  'event-ttl': { type: 'string', default: '1h' },
  'max-request-body-bytes': { type: 'string', default: String(3 * 1024 * 1024) },
  'watch-cache-capacity': { type: 'string', default: '10000' },
  'compaction-interval': { type: 'string', default: '5m' },
  'log-level': { type: 'string', default: 'info' },
  ...securityFlags,
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const flagDocs: FlagDocs<Omit<typeof flags, SecurityFlag>> = {
  storage: { value: 'URL', meaning: 'embedded:///dir (or a path), etcd://host:port[,…][/prefix], memory://' },
  port: { value: 'N', meaning: 'listen port (0 = any free port)' },
  'bind-address': { value: 'IP', meaning: 'listen address' },
  'advertise-address': {
    value: 'IP',
    meaning: 'address in the default/kubernetes Endpoints',
    default: 'the bind address if a concrete IP, else 127.0.0.1',
  },
  'service-cluster-ip-range': { value: 'CIDR', meaning: 'service cluster IPs' },
  'service-node-port-range': { value: 'A-B', meaning: 'service node ports' },
  'node-ports-for-all-services': { meaning: 'give ClusterIP service ports node ports too' },
  'event-ttl': { value: 'DURATION', meaning: 'events expire after' },
  'max-request-body-bytes': { value: 'N', meaning: 'larger bodies get 413' },
  'watch-cache-capacity': { value: 'N', meaning: 'events kept per resource for resuming watches' },
  'compaction-interval': { value: 'DURATION', meaning: 'storage compaction period, 0 = off' },
  'log-level': { value: 'LEVEL', meaning: 'trace, debug, info, warn, error, fatal or silent' },
};

export const usage = helpText({
  usage: 'apiserver [flags]',
  about: `Serves the Kubernetes v1 API over a store. Durations: 500ms, 30s, 5m, 1h (a bare number is
milliseconds). Listening beyond loopback needs TLS and an authenticator (docs/security.md).`,
  flags,
  docs: flagDocs,
  more: securityUsage,
  example: 'KUBELITE_STORAGE=memory://, KUBELITE_PORT=0',
});

/** "90s", "5m", "1h", "1500ms" or plain milliseconds. */
export function parseDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`invalid duration "${text}": use e.g. 500ms, 30s, 5m, 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

function integer(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

/** Flags from argv, falling back to KUBELITE_* variables, then defaults. */
export function readFlags(argv: string[], env: NodeJS.ProcessEnv = process.env) {
  const { values } = parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false });
  const pick = (name: keyof typeof flags): string | boolean => {
    const given = argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`) || a === `--no-${name}`);
    const envValue = env[`KUBELITE_${name.toUpperCase().replace(/-/g, '_')}`];
    if (!given && envValue !== undefined) {
      return flags[name].type === 'boolean' ? envValue === 'true' || envValue === '1' : envValue;
    }
    return values[name] as string | boolean;
  };
  const host = pick('bind-address') as string;
  return {
    ...securityOptionsFromFlags((name: SecurityFlag) => pick(name), host, parseDurationMs),
    help: pick('help') as boolean,
    storage: pick('storage') as string,
    port: integer('port', pick('port') as string),
    host,
    advertiseAddress: (pick('advertise-address') as string) || undefined,
    serviceClusterIPRange: pick('service-cluster-ip-range') as string,
    serviceNodePortRange: pick('service-node-port-range') as string,
    nodePortsForAllServices: pick('node-ports-for-all-services') as boolean,
    eventTtlMs: parseDurationMs(pick('event-ttl') as string),
    maxRequestBodyBytes: integer('max-request-body-bytes', pick('max-request-body-bytes') as string),
    watchCacheCapacity: integer('watch-cache-capacity', pick('watch-cache-capacity') as string),
    compactionIntervalMs: parseDurationMs(pick('compaction-interval') as string),
    logLevel: pick('log-level') as string,
  };
}

export async function main(argv: string[]): Promise<number> {
  const { help, logLevel, ...options } = readFlags(argv);
  if (help) {
    process.stdout.write(usage);
    return 0;
  }
  const logger = createLogger({ component: 'apiserver', level: logLevel });
  // A process of its own: expose process metrics (CPU, memory, event loop lag) too.
  const metricsRegistry = createRegistry({ component: 'apiserver', processMetrics: true });
  const server = createApiServer({ ...options, logger, metricsRegistry });
  const abort = new AbortController();
  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping');
    abort.abort();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  const running = server.run(abort.signal);
  await server.start();
  process.stdout.write(`kubelite apiserver listening on ${server.url}\n`);
  await running;
  logger.flush();
  return 0;
}
