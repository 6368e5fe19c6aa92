// Which apiservers share this store, for the `default/kubernetes` Endpoints (Kubernetes' "lease"
// endpoint reconciler): each apiserver keeps a record under /registry/masterleases/ and renews it;
// a record not renewed within its TTL belongs to an apiserver that died, and whoever notices deletes
// it. The records are not an API resource: the watch cache skips their keys (but they stay under
// /registry/ so its revision follows every write, which consistent reads wait for).
import type { Clock } from '../../util/clock.js';
import type { KeyValue, Storage } from '../storage/types.js';
import type { ApiServerEndpoint } from './kubernetes-service.js';

export const masterLeasePrefix = '/registry/masterleases/';

interface LeaseRecord extends ApiServerEndpoint {
  renewTimeMs: number;
  ttlMs: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function leaseKey(member: ApiServerEndpoint): string {
  return `${masterLeasePrefix}${member.ip.includes(':') ? `[${member.ip}]` : member.ip}:${member.port}`;
}

function decode(kv: KeyValue): LeaseRecord | undefined {
  try {
    const r = JSON.parse(decoder.decode(kv.value)) as Partial<LeaseRecord>;
    const valid =
      typeof r.ip === 'string' &&
      typeof r.port === 'number' &&
      (r.portName === 'https' || r.portName === 'http') &&
      typeof r.renewTimeMs === 'number' &&
      typeof r.ttlMs === 'number';
    return valid ? (r as LeaseRecord) : undefined;
  } catch {
    return undefined;
  }
}

export class MasterLeases {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** Writes (or renews) `self`'s record with the current time. */
  async renew(self: ApiServerEndpoint): Promise<void> {
    const key = leaseKey(self);
    const record: LeaseRecord = {
      ip: self.ip,
      port: self.port,
      portName: self.portName,
      renewTimeMs: this.clock.now(),
      ttlMs: this.ttlMs,
    };
    const value = encoder.encode(JSON.stringify(record));
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.storage.get(key);
      const result = current
        ? await this.storage.update(key, value, current.modRevision)
        : await this.storage.create(key, value);
      if (result.ok) return;
    }
    throw new Error(`could not renew the apiserver lease ${key}: it keeps changing`);
  }

  async remove(self: ApiServerEndpoint): Promise<void> {
    await this.storage.delete(leaseKey(self));
  }

  /** Every apiserver holding a record (expired ones too, until collected: see collectExpired). */
  async members(): Promise<ApiServerEndpoint[]> {
    const { items } = await this.storage.list(masterLeasePrefix);
    return items
      .map(decode)
      .filter((r): r is LeaseRecord => r !== undefined)
      .map(({ ip, port, portName }) => ({ ip, port, portName }));
  }

  /**
   * Deletes the records not renewed within their TTL (and undecodable ones); returns how many. A
   * record renewed meanwhile is kept (the delete compares its revision).
   */
  async collectExpired(): Promise<number> {
    const { items } = await this.storage.list(masterLeasePrefix);
    const now = this.clock.now();
    let removed = 0;
    for (const kv of items) {
      const record = decode(kv);
      if (record && record.renewTimeMs + record.ttlMs > now) continue;
      if ((await this.storage.delete(kv.key, kv.modRevision)).ok) removed++;
    }
    return removed;
  }
}
