// Keeps `default/kubernetes` (Service and Endpoints) as the apiservers on this store need it, like
// kube-apiserver's kubernetesservice controller with the lease endpoint reconciler:
// - level-triggered: any change to either object in the watch cache (a user's delete or edit, a
//   resync) brings a reconcile that reads both from storage and writes only what differs;
// - every apiserver computes the same objects from the same lease records (master-leases.ts), so
//   several on one store agree instead of overwriting each other;
// - every `intervalMs` (Kubernetes: 10 s) it renews its lease, collects expired ones and reconciles:
//   that is how a crashed apiserver's address leaves the Endpoints (no event tells of a death);
// - on stop it withdraws its lease and its address, but never empties the Endpoints (as Kubernetes).
// Writes go through the resources' own write paths as the apiserver itself (allocators, watchers).
import { isApiError } from '../../api/errors.js';
import type { Endpoints, KubeObject, Service } from '../../api/types.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';
import type { WatchCache } from '../watchcache/watch-cache.js';
import {
  type ApiServerEndpoint,
  desiredEndpoints,
  desiredService,
  endpointsRepair,
  isKubernetesService,
  kubernetesServiceName as name,
  kubernetesServiceNamespace as namespace,
  serviceRepair,
  sortEndpoints,
} from './kubernetes-service.js';
import type { MasterLeases } from './master-leases.js';
import { systemWrite } from './namespaces.js';
import type { ResourceRest } from './rest.js';

export interface KubernetesServiceControllerOptions {
  cache: WatchCache;
  services: ResourceRest;
  endpoints: ResourceRest;
  leases: MasterLeases;
  /** This apiserver: its advertise address, listening port and scheme. */
  self: ApiServerEndpoint;
  /** The service's cluster IP (the allocator keeps it for this service). */
  clusterIP: string;
  /** Lease renewal, expired-lease collection and a full reconcile this often. */
  intervalMs: number;
  /** How long stop() may spend withdrawing this apiserver. */
  stopTimeoutMs?: number;
  clock: Clock;
  logger: Logger;
}

const sameMember = (a: ApiServerEndpoint, b: ApiServerEndpoint) => a.ip === b.ip && a.port === b.port;

export class KubernetesServiceController {
  private stopped = false;
  private queued = false;
  /** Every step runs after the one before: reconciles never overlap, nor with lease writes. */
  private chain: Promise<void> = Promise.resolve();
  private timer: TimerHandle | undefined;
  private warnedClusterIP = '';

  constructor(private readonly o: KubernetesServiceControllerOptions) {}

  /** Writes this apiserver's lease and reconciles once; from then on follows changes and the interval. */
  async start(): Promise<void> {
    this.o.cache.onChange((resource, event) => {
      if ((resource === 'services' || resource === 'endpoints') && isKubernetesService(event.object.object))
        this.trigger();
    });
    // After a resync of the cache (a broken store watch) no per-object events tell what changed.
    this.o.cache.onReady(() => this.trigger());
    this.enqueue('write the apiserver lease', () => this.o.leases.renew(this.o.self));
    this.trigger();
    await this.chain;
    this.scheduleTick();
  }

  /** Withdraws this apiserver: its lease, then its address from the Endpoints (unless it is the last). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    const withdraw = this.chain.then(async () => {
      await this.o.leases.remove(this.o.self);
      const members = sortEndpoints(await this.o.leases.members());
      if (members.length > 0) await this.reconcileEndpoints(members);
    });
    let timeout: TimerHandle | undefined;
    const timedOut = new Promise<void>((done) => {
      timeout = this.o.clock.setTimeout(done, this.o.stopTimeoutMs ?? 2000);
    });
    try {
      await Promise.race([withdraw, timedOut]);
    } catch (e) {
      this.o.logger.warn({ err: e }, 'could not withdraw from the kubernetes service endpoints');
    } finally {
      timeout?.cancel();
    }
  }

  /** Queues one reconcile unless one is already waiting to run. */
  private trigger(): void {
    if (this.queued || this.stopped) return;
    this.queued = true;
    this.enqueue('reconcile the kubernetes service', () => {
      this.queued = false;
      return this.reconcile();
    });
  }

  private enqueue(what: string, step: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await step();
      } catch (e) {
        // The next change or interval tries again.
        this.o.logger.warn({ err: e }, `could not ${what}`);
      }
    });
  }

  private scheduleTick(): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.enqueue('renew the apiserver lease', async () => {
        await this.o.leases.renew(this.o.self);
        const removed = await this.o.leases.collectExpired();
        if (removed > 0) this.o.logger.info({ removed }, 'removed expired apiserver leases');
      });
      this.trigger();
      this.scheduleTick();
    }, this.o.intervalMs);
  }

  private async reconcile(): Promise<void> {
    let members = await this.o.leases.members();
    if (!members.some((m) => sameMember(m, this.o.self))) {
      // A peer collected our lease (we were stalled past its TTL): take it again before publishing.
      await this.o.leases.renew(this.o.self);
      members = [...members, this.o.self];
    }
    const sorted = sortEndpoints(members);
    await this.reconcileService(sorted[0]!);
    await this.reconcileEndpoints(sorted);
  }

  private reconcileService(primary: ApiServerEndpoint): Promise<void> {
    const { clusterIP, logger } = this.o;
    return this.ensure(
      this.o.services,
      { clusterIP, targetPort: primary.port },
      () => desiredService(clusterIP, primary),
      (current: Service) => {
        const ip = current.spec?.clusterIP ?? '';
        if (ip !== clusterIP && this.warnedClusterIP !== ip) {
          this.warnedClusterIP = ip;
          logger.warn(
            { clusterIP: ip, expected: clusterIP },
            'the kubernetes Service has another cluster IP; delete it to have it recreated',
          );
        }
        return serviceRepair(current, primary);
      },
    );
  }

  private reconcileEndpoints(members: readonly ApiServerEndpoint[]): Promise<void> {
    return this.ensure(
      this.o.endpoints,
      { members },
      () => desiredEndpoints(members),
      (current: Endpoints) => endpointsRepair(current, members),
    );
  }

  /** Creates the object when it is missing, else writes what `repair` makes of it, if anything. */
  private async ensure<T extends Service | Endpoints>(
    rest: ResourceRest,
    details: Record<string, unknown>,
    build: () => T,
    repair: (current: T) => T | undefined,
  ): Promise<void> {
    const what = `the kubernetes ${rest.resource.kind}`;
    const current = (await rest.store.get(namespace, name)) as unknown as T | undefined;
    if (!current) {
      if (await create(rest, build())) this.o.logger.info(details, `created ${what}`);
      return;
    }
    if (!repair(current)) return;
    this.o.logger.warn(details, `resetting ${what}`);
    await rest.updateWith(
      namespace,
      name,
      (fresh) => (repair(fresh as unknown as T) ?? fresh) as unknown as KubeObject,
      systemWrite,
      'main',
    );
  }
}

/** Creates `obj`; one created meanwhile (by a peer) is fine: its event brings the next reconcile. */
async function create(rest: ResourceRest, obj: Service | Endpoints): Promise<boolean> {
  try {
    await rest.create(namespace, obj, systemWrite);
    return true;
  } catch (e) {
    if (!isApiError(e, 'AlreadyExists')) throw e;
    return false;
  }
}
