// Endpoints subsets in canonical form, in the manner of Kubernetes' RepackSubsets: expand the subsets
// into (address, port, ready) facts, group the ports that are served by exactly the same addresses
// (with the same readiness) into one subset, and sort everything. The same endpoints then always
// print the same bytes, whatever order pods and ports were seen in, so "nothing changed" is a plain
// comparison and the controller never rewrites an Endpoints object for nothing. Kubernetes sorts
// ports and subsets by hash; here the order is readable: addresses by IP then pod uid, ports by name,
// number and protocol, subsets by their ports.
import type { EndpointAddress, EndpointPort, EndpointSubset } from '../../api/types.js';

interface AddressFacts {
  address: EndpointAddress;
  /** Per port key: ready (true wins over false). */
  readyByPort: Map<string, boolean>;
}

/** Ports-less subsets (headless services without ports) map to this sentinel port key. */
const noPort = '';

function addressKey(a: EndpointAddress): string {
  return `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
}

function portKey(p: EndpointPort): string {
  return `${p.name ?? ''}\u0000${String(p.port).padStart(5, '0')}\u0000${p.protocol ?? 'TCP'}\u0000${p.appProtocol ?? ''}`;
}

function canonicalAddress(a: EndpointAddress): EndpointAddress {
  const out: EndpointAddress = { ip: a.ip };
  if (a.hostname) out.hostname = a.hostname;
  if (a.nodeName) out.nodeName = a.nodeName;
  if (a.targetRef) {
    const r = a.targetRef;
    out.targetRef = {
      ...(r.kind ? { kind: r.kind } : {}),
      ...(r.namespace ? { namespace: r.namespace } : {}),
      ...(r.name ? { name: r.name } : {}),
      ...(r.uid ? { uid: r.uid } : {}),
    };
  }
  return out;
}

function canonicalPort(p: EndpointPort): EndpointPort {
  return {
    ...(p.name ? { name: p.name } : {}),
    port: p.port,
    protocol: p.protocol ?? 'TCP',
    ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
  };
}

const byAddress = (a: EndpointAddress, b: EndpointAddress): number => {
  const ka = addressKey(a);
  const kb = addressKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** The canonical form of any subsets: one subset per distinct set of (address, readiness), sorted. */
export function repackSubsets(subsets: readonly EndpointSubset[] | undefined): EndpointSubset[] {
  const addresses = new Map<string, AddressFacts>();
  const ports = new Map<string, EndpointPort>();
  const note = (a: EndpointAddress, port: string, ready: boolean): void => {
    const key = addressKey(a);
    let facts = addresses.get(key);
    if (!facts) addresses.set(key, (facts = { address: canonicalAddress(a), readyByPort: new Map() }));
    if (!facts.readyByPort.get(port)) facts.readyByPort.set(port, ready);
  };
  for (const subset of subsets ?? []) {
    const keys: string[] = [];
    for (const p of subset.ports ?? []) {
      const port = canonicalPort(p);
      const key = portKey(port);
      ports.set(key, port);
      keys.push(key);
    }
    if (keys.length === 0) keys.push(noPort);
    for (const key of keys) {
      for (const a of subset.addresses ?? []) note(a, key, true);
      for (const a of subset.notReadyAddresses ?? []) note(a, key, false);
    }
  }

  // For each port, the signature of the addresses (and readiness) behind it; equal signatures share a subset.
  const portsBySignature = new Map<string, string[]>();
  const allPortKeys = new Set<string>();
  for (const facts of addresses.values()) for (const key of facts.readyByPort.keys()) allPortKeys.add(key);
  const sortedAddressKeys = [...addresses.keys()].sort();
  for (const port of allPortKeys) {
    const signature = sortedAddressKeys
      .filter((k) => addresses.get(k)!.readyByPort.has(port))
      .map((k) => `${k}\u0001${addresses.get(k)!.readyByPort.get(port) ? 1 : 0}`)
      .join('\u0002');
    const group = portsBySignature.get(signature);
    if (group) group.push(port);
    else portsBySignature.set(signature, [port]);
  }

  const out: Array<{ sortKey: string; subset: EndpointSubset }> = [];
  for (const portKeys of portsBySignature.values()) {
    const probe = portKeys[0]!;
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const facts of addresses.values()) {
      const r = facts.readyByPort.get(probe);
      if (r === undefined) continue;
      (r ? ready : notReady).push(facts.address);
    }
    ready.sort(byAddress);
    notReady.sort(byAddress);
    const realPorts = portKeys.filter((k) => k !== noPort).sort();
    const subset: EndpointSubset = {};
    if (ready.length > 0) subset.addresses = ready;
    if (notReady.length > 0) subset.notReadyAddresses = notReady;
    if (realPorts.length > 0) subset.ports = realPorts.map((k) => ports.get(k)!);
    out.push({ sortKey: realPorts.join('\u0003'), subset });
  }
  out.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  return out.map((o) => o.subset);
}

/** Semantic equality: both sides repacked, then compared. */
export function sameSubsets(
  a: readonly EndpointSubset[] | undefined,
  b: readonly EndpointSubset[] | undefined,
): boolean {
  return JSON.stringify(repackSubsets(a)) === JSON.stringify(repackSubsets(b));
}
