// What the API-client components' entries (scheduler, controller-manager, proxy) share: flag values
// with their KUBELITE_<FLAG> fallback, integer parsing, the apiserver connection from --server or
// --kubeconfig, and a stop signal on SIGINT/SIGTERM. Every entry's --help comes from helpText().
import { clientOptionsFromKubeconfig, loadKubeconfig } from '../client/kubeconfig.js';
import type { ClientOptions } from '../client/transport.js';

/** The flag's value (repeated flags joined by commas), else KUBELITE_<FLAG> from the environment. */
export function setting(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length > 0) return v.join(',');
  return process.env[`KUBELITE_${name.toUpperCase().replaceAll('-', '_')}`];
}

export function integer(name: string, text: string | undefined, fallback: number, min = 0): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name}: expected an integer ≥ ${min}, got "${text}"`);
  return n;
}

export function boolean(name: string, text: string | undefined, fallback: boolean): boolean {
  if (text === undefined || text === '') return fallback;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new Error(`--${name}: expected true or false, got "${text}"`);
}

/** --server and --kubeconfig of a component that talks to the apiserver (read by apiClientOptions). */
export const connectionFlags = {
  server: { type: 'string' },
  kubeconfig: { type: 'string' },
} as const;

/** --metrics-port and --metrics-host of a component's status server (described by metricsFlagDocs). */
export const metricsFlags = {
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
} as const;

/** The apiserver connection: --kubeconfig's current context, --server overriding its URL. */
export function apiClientOptions(values: Record<string, unknown>): ClientOptions {
  const server = setting(values, 'server');
  const kubeconfig = setting(values, 'kubeconfig');
  if (!server && !kubeconfig) throw new Error('--server or --kubeconfig is required');
  return kubeconfig
    ? { ...clientOptionsFromKubeconfig(loadKubeconfig(kubeconfig)), ...(server ? { server } : {}) }
    : { server: server! };
}

/** A signal that aborts on the first SIGINT or SIGTERM; dispose() removes the handlers. */
export function stopOnSignals(): { signal: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** A default duration as a flag would take it: 40s, 5m, 1h. */
export function durationText(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A parseArgs option, as the `flags` tables of the entries declare them. */
type FlagOption = {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
};

/** What --help says about one flag. */
export interface FlagDoc {
  /** The value's placeholder (URL, N, 40s…); none for boolean flags. */
  value?: string;
  meaning: string;
  /** Shown as [default]; without it, the parseArgs default (if any) is shown. */
  default?: string;
}

/** A description for every flag of a parseArgs table but --help (which the help text adds itself). */
export type FlagDocs<F> = { [K in Exclude<keyof F, 'help'>]: FlagDoc };

export interface HelpText {
  /** After "Usage: kubelite ", e.g. "scheduler --server URL | --kubeconfig PATH [flags]". */
  usage: string;
  /** What the command does (a few lines). */
  about: string;
  flags: Readonly<Record<string, FlagOption>>;
  docs: Readonly<Record<string, FlagDoc>>;
  /** Sections after the flags (e.g. the apiserver's security flags), each ending in a newline. */
  more?: string;
  /** The example variable in the KUBELITE_<FLAG> sentence, e.g. KUBELITE_NODE_NAME=n1. */
  example: string;
  /** Lines after that sentence. */
  notes?: string;
}

/** --server and --kubeconfig, as every API-client component takes them (see apiClientOptions). */
export const connectionFlagDocs = {
  server: { value: 'URL', meaning: "apiserver URL (overrides the kubeconfig's server)" },
  kubeconfig: { value: 'PATH', meaning: 'kubeconfig file (current context: server, credentials, CA)' },
} satisfies Record<string, FlagDoc>;

/** --metrics-port and --metrics-host of a component's status server. */
export function metricsFlagDocs(port: number, host = '127.0.0.1') {
  return {
    'metrics-port': {
      value: 'N',
      meaning: '/metrics, /healthz, /readyz port; 0 = any free port',
      default: String(port),
    },
    'metrics-host': { value: 'HOST', meaning: 'address of that port', default: host },
  } satisfies Record<string, FlagDoc>;
}

/** --log-level of a component (createLogger's default level). */
export const logLevelFlagDoc: FlagDoc = {
  value: 'LEVEL',
  meaning: 'trace, debug, info, warn, error, fatal or silent',
  default: 'info',
};

/** Meanings longer than this push their [default] out of the column. */
const meaningWidth = 58;

/**
 * A command's --help: one line per flag with its meaning and default, then how flags are read from
 * the environment. The flag lines follow `docs` (every flag the caller describes), then -h, --help.
 */
export function helpText(h: HelpText): string {
  const rows = Object.entries(h.docs).map(([name, doc]) => {
    const option = h.flags[name];
    const fallback = doc.default ?? (typeof option?.default === 'string' ? option.default : '');
    return { flag: `  --${name}${doc.value ? ` ${doc.value}` : ''}`, meaning: doc.meaning, fallback };
  });
  const help = h.flags.help?.short ? `  -${h.flags.help.short}, --help` : '  --help';
  rows.push({ flag: help, meaning: 'print this help and exit', fallback: '' });
  const flagWidth = Math.max(...rows.map((r) => r.flag.length)) + 2;
  const width = Math.max(0, ...rows.map((r) => r.meaning.length).filter((n) => n <= meaningWidth)) + 1;
  const lines = rows.map(({ flag, meaning, fallback }) => {
    const text = flag.padEnd(flagWidth) + meaning;
    return fallback ? `${text.padEnd(flagWidth + width)} [${fallback}]` : text;
  });
  return [
    `Usage: kubelite ${h.usage}`,
    '',
    h.about.trimEnd(),
    '',
    ...lines,
    '',
    ...(h.more ? [h.more.trimEnd(), ''] : []),
    'Every flag can also be given as an environment variable KUBELITE_<FLAG>: upper case, dashes as',
    `underscores (e.g. ${h.example}); a flag on the command line wins.`,
    ...(h.notes ? [h.notes.trimEnd()] : []),
    '',
  ].join('\n');
}
