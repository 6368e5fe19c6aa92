// Where node ports are served besides the node's own address: given as IPv4 addresses or as network
// interface names (the Docker bridge `kubelite0`, whose gateway address Docker chooses and pods reach
// the node on). The bridge is made by the kubelet, which may start at the same moment as the proxy,
// so the proxy waits until every entry names an address of this machine before it serves anything:
// binding a missing address would fail every node port.
import { execFile } from 'node:child_process';
import { createServer, isIPv4 } from 'node:net';
import { type Clock, systemClock } from '../util/clock.js';

export interface ResolveOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Time between checks while something is missing (default 250 ms). */
  intervalMs?: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** Called once per missing entry when the wait begins (for a log line). */
  onWaiting?(missing: string[]): void;
  /** The IPv4 addresses of an interface, undefined when it does not exist (default: `ip -j -4 addr`). */
  interfaceAddresses?(name: string): Promise<string[] | undefined>;
  /** True when `address` can be bound on this machine (default: a test listen on port 0). */
  bindable?(address: string): Promise<boolean>;
}

/** The IPv4 addresses of interface `name` as iproute2 reports them (also for interfaces without carrier). */
export function ipInterfaceAddresses(name: string): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    execFile('ip', ['-j', '-4', 'addr', 'show', 'dev', name], (err, stdout) => {
      if (err) return resolve(undefined);
      try {
        const links = JSON.parse(stdout) as Array<{ addr_info?: Array<{ local?: string }> }>;
        resolve(links.flatMap((l) => (l.addr_info ?? []).map((a) => a.local ?? '')).filter(isIPv4));
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** True when a listener can bind `address` (it is assigned here, or in 127/8). */
export function canBind(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(0, address, () => server.close(() => resolve(true)));
  });
}

/** One pass: the addresses found so far and the entries still missing. */
export async function lookUpNodePortAddresses(
  entries: readonly string[],
  options: Pick<ResolveOptions, 'interfaceAddresses' | 'bindable'> = {},
): Promise<{ addresses: string[]; missing: string[] }> {
  const interfaceAddresses = options.interfaceAddresses ?? ipInterfaceAddresses;
  const bindable = options.bindable ?? canBind;
  const addresses: string[] = [];
  const missing: string[] = [];
  for (const entry of entries) {
    const found = isIPv4(entry) ? [entry] : ((await interfaceAddresses(entry)) ?? []);
    const usable: string[] = [];
    for (const address of found) if (await bindable(address)) usable.push(address);
    if (usable.length === 0) missing.push(entry);
    for (const address of usable) if (!addresses.includes(address)) addresses.push(address);
  }
  return { addresses, missing };
}

/** Resolves every entry to addresses of this machine, waiting for missing ones; rejects on timeout. */
export async function resolveNodePortAddresses(
  entries: readonly string[],
  options: ResolveOptions = {},
): Promise<string[]> {
  for (const entry of entries) {
    if (entry.includes(':')) throw new Error(`node port address "${entry}": IPv4 addresses only`);
  }
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + (options.timeoutMs ?? 60_000);
  let reported = false;
  for (;;) {
    const { addresses, missing } = await lookUpNodePortAddresses(entries, options);
    if (missing.length === 0) return addresses;
    if (options.signal?.aborted) throw options.signal.reason;
    if (clock.now() >= deadline) {
      throw new Error(`node port addresses not on this machine: ${missing.join(', ')}`);
    }
    if (!reported) options.onWaiting?.(missing);
    reported = true;
    await new Promise<void>((resolve) => {
      const timer = clock.setTimeout(done, options.intervalMs ?? 250);
      options.signal?.addEventListener('abort', done, { once: true });
      function done() {
        timer.cancel();
        options.signal?.removeEventListener('abort', done);
        resolve();
      }
    });
  }
}
