// sessionAffinity: ClientIP. A client keeps its backend for `timeoutMs` after its last connection, as
// long as that backend is still in the service; expired entries are swept as the table grows.
import type { Clock } from '../../util/clock.js';
import type { Backend, Tried } from './backend.js';
import { wasTried } from './backend.js';

interface AffinityEntry {
  backend: Backend;
  expiresAt: number;
}

export class ClientIpAffinity {
  private readonly entries = new Map<string, AffinityEntry>();
  private sweepAt = 1024;

  constructor(
    private readonly clock: Clock,
    readonly timeoutMs: number,
  ) {}

  /** The backend remembered for this client, if still valid and not excluded. */
  lookup(clientIp: string, tried: Tried): Backend | undefined {
    const entry = this.entries.get(clientIp);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock.now() || entry.backend.removed) {
      this.entries.delete(clientIp);
      return undefined;
    }
    return wasTried(tried, entry.backend) ? undefined : entry.backend;
  }

  remember(clientIp: string, backend: Backend): void {
    const now = this.clock.now();
    const entry = this.entries.get(clientIp);
    if (entry !== undefined) {
      entry.backend = backend;
      entry.expiresAt = now + this.timeoutMs;
      return;
    }
    this.entries.set(clientIp, { backend, expiresAt: now + this.timeoutMs });
    if (this.entries.size >= this.sweepAt) this.sweep(now);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    for (const [ip, entry] of this.entries) {
      if (entry.expiresAt <= now || entry.backend.removed) this.entries.delete(ip);
    }
    this.sweepAt = Math.max(1024, this.entries.size * 2);
  }
}
