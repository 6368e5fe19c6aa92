// The balancing model shared by every data path: the current backends of one service port, swapped
// atomically, and a picker (round-robin or least-connections) optionally behind ClientIP affinity.
import type { Clock } from '../../util/clock.js';
import type { BalancingAlgorithm, EndpointAddress } from '../config.js';
import { ClientIpAffinity } from './affinity.js';
import { Backend, type Picker, type Tried } from './backend.js';
import { LeastConnectionsPicker } from './least-connections.js';
import { RoundRobinPicker } from './round-robin.js';

export { Backend, type Tried } from './backend.js';

export interface BalancerOptions {
  algorithm?: BalancingAlgorithm;
  /** ClientIP affinity timeout; affinity is off when absent. */
  affinityTimeoutMs?: number;
  clock: Clock;
}

export class Balancer {
  /** The current backends, replaced as a whole on every change (readers never see a half-update). */
  backends: readonly Backend[] = [];
  private readonly picker: Picker;
  private readonly affinity: ClientIpAffinity | undefined;

  constructor(options: BalancerOptions) {
    this.picker =
      options.algorithm === 'least-connections' ? new LeastConnectionsPicker() : new RoundRobinPicker();
    this.affinity =
      options.affinityTimeoutMs !== undefined
        ? new ClientIpAffinity(options.clock, options.affinityTimeoutMs)
        : undefined;
  }

  /**
   * Replaces the endpoint set in one assignment. Backends that stay keep their objects (and counts);
   * those that leave are marked removed so affinity forgets them and their connections just drain.
   */
  setEndpoints(addresses: readonly EndpointAddress[]): void {
    const previous = new Map<string, Backend>();
    for (const backend of this.backends) previous.set(backend.key, backend);
    const next: Backend[] = [];
    for (const address of addresses) {
      const kept = previous.get(address.key);
      if (kept !== undefined) previous.delete(address.key);
      next.push(kept ?? Backend.from(address));
    }
    for (const gone of previous.values()) gone.removed = true;
    this.backends = next;
  }

  /** Takes over the backends (and their counts) of a balancer being replaced by a new algorithm. */
  adopt(other: Balancer): void {
    this.backends = other.backends;
  }

  get size(): number {
    return this.backends.length;
  }

  /** The backend for a new connection or request, or undefined when none is left to try. */
  pick(clientIp: string | undefined, tried: Tried): Backend | undefined {
    const affinity = this.affinity;
    if (affinity === undefined || clientIp === undefined) return this.picker.pick(this.backends, tried);
    const remembered = affinity.lookup(clientIp, tried);
    if (remembered !== undefined) {
      affinity.remember(clientIp, remembered);
      return remembered;
    }
    const chosen = this.picker.pick(this.backends, tried);
    if (chosen !== undefined) affinity.remember(clientIp, chosen);
    return chosen;
  }
}
