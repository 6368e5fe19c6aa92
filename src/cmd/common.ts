// What the API-client components' entries (scheduler, controller-manager, proxy) share: flag values
// with their KUBELITE_<FLAG> fallback, integer parsing, the apiserver connection from --server or
// --kubeconfig, and a stop signal on SIGINT/SIGTERM.
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
