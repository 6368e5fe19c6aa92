// The kernel data path: nftables DNAT in one table owned by kubelite. A verdict map keyed by
// `daddr . l4proto . dport` sends each service address to its own chain, and that chain holds ONE
// rule — `dnat to numgen inc mod N map { i : ip . port }` (round-robin) or `jhash ip saddr` (ClientIP
// affinity) — so the rule count grows with services, not services × endpoints. Every change is one
// `nft -f -` batch (atomic in the kernel); the table is deleted on close and rebuilt at start.
// Hooks: output (locally generated traffic, which is how loopback cluster IPs are reached; no
// route_localnet needed as long as endpoints are loopback too) and prerouting (traffic from
// containers/netns to routable cluster IPs).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { nodePortAddresses, type ServicePortConfig } from '../config.js';
import type { KernelRules } from './rules.js';

export interface NftRulesOptions {
  /** argv prefix that runs nft, e.g. `['nft']` or `['ip', 'netns', 'exec', 'NS', 'nft']`. */
  command?: string[];
  table?: string;
  /** Node address for node ports; node ports get no rule when absent. */
  nodeAddress?: string;
  /** Further node port addresses (e.g. a bridge gateway). */
  nodePortAddresses?: readonly string[];
  /** Default true. False: cluster IPs get no rule (another proxy on this machine owns them). */
  clusterIPs?: boolean;
}

interface Programmed {
  chain: string;
  elements: string[];
}

function chainName(key: string): string {
  return `svc-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

function isIPv4(ip: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip);
}

export class NftRules implements KernelRules {
  private readonly command: string[];
  readonly table: string;
  private readonly programmed = new Map<string, Programmed>();

  constructor(private readonly options: NftRulesOptions = {}) {
    this.command = options.command ?? ['nft'];
    this.table = options.table ?? 'kubelite';
  }

  /** Replaces whatever table of ours a previous run left with an empty one. */
  async start(): Promise<void> {
    const t = `ip ${this.table}`;
    const lookup = `ip daddr . meta l4proto . th dport vmap @services`;
    await this.run(
      [
        `add table ${t}`,
        `delete table ${t}`,
        `add table ${t}`,
        `add map ${t} services { type ipv4_addr . inet_proto . inet_service : verdict ; }`,
        `add chain ${t} output { type nat hook output priority -100 ; policy accept ; }`,
        `add chain ${t} prerouting { type nat hook prerouting priority -100 ; policy accept ; }`,
        `add rule ${t} output ${lookup}`,
        `add rule ${t} prerouting ${lookup}`,
      ].join('\n'),
    );
    this.programmed.clear();
  }

  async apply(upserts: readonly ServicePortConfig[], removals: readonly string[]): Promise<void> {
    const t = `ip ${this.table}`;
    const batch: string[] = [];
    for (const key of removals) {
      const old = this.programmed.get(key);
      if (!old) continue;
      for (const element of old.elements) batch.push(`delete element ${t} services { ${element} }`);
      batch.push(`delete chain ${t} ${old.chain}`);
      this.programmed.delete(key);
    }
    for (const config of upserts) {
      const chain = chainName(config.key);
      const old = this.programmed.get(config.key);
      if (!old) batch.push(`add chain ${t} ${chain}`);
      batch.push(`flush chain ${t} ${chain}`);
      const targets = config.endpoints.filter((e) => isIPv4(e.ip));
      const elements: string[] = [];
      // No endpoints: no map element, so the connection meets the closed port itself (a reset).
      const protocol = config.protocol.toLowerCase();
      if (targets.length > 0) {
        const addresses: string[] = [];
        if (this.options.clusterIPs !== false && config.clusterIP) {
          addresses.push(`${config.clusterIP} . ${protocol} . ${config.port}`);
        }
        if (config.nodePort) {
          for (const address of nodePortAddresses(this.options.nodeAddress, this.options.nodePortAddresses)) {
            addresses.push(`${address} . ${protocol} . ${config.nodePort}`);
          }
        }
        for (const address of addresses) elements.push(`${address} : goto ${chain}`);
        const selector = config.sessionAffinity === 'ClientIP' ? 'jhash ip saddr mod' : 'numgen inc mod';
        const map = targets.map((e, i) => `${i} : ${e.ip} . ${e.port}`).join(', ');
        batch.push(
          `add rule ${t} ${chain} meta l4proto ${protocol} dnat ip to ${selector} ${targets.length} map { ${map} }`,
        );
      }
      for (const element of old?.elements ?? []) {
        if (!elements.includes(element)) batch.push(`delete element ${t} services { ${element} }`);
      }
      for (const element of elements) {
        if (!old?.elements.includes(element)) batch.push(`add element ${t} services { ${element} }`);
      }
      this.programmed.set(config.key, { chain, elements });
    }
    if (batch.length > 0) await this.run(batch.join('\n'));
  }

  /** The table as nft lists it (for tests and debugging). */
  list(): Promise<string> {
    return this.run(`list table ip ${this.table}`);
  }

  async close(): Promise<void> {
    await this.run(`add table ip ${this.table}\ndelete table ip ${this.table}`);
    this.programmed.clear();
  }

  private run(script: string): Promise<string> {
    const [command, ...prefix] = this.command;
    return new Promise((resolve, reject) => {
      const child = execFile(command!, [...prefix, '-f', '-'], (err, stdout, stderr) => {
        if (err) reject(new Error(`nft failed: ${stderr.trim() || err.message}\n${script}`));
        else resolve(stdout);
      });
      // nft exiting before reading (e.g. not installed) is an EPIPE here: the exit callback reports it.
      child.stdin?.on('error', () => {});
      child.stdin?.end(`${script}\n`);
    });
  }
}

export function createNftRules(options: NftRulesOptions = {}): NftRules {
  return new NftRules(options);
}
