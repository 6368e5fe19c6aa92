// Namespace lifecycle, as Kubernetes' NamespaceLifecycle admission plugin plus its namespace
// controller, but inside the apiserver and driven by watch-cache events:
// - creating into a missing namespace is 404, into a terminating one 403;
// - the system namespaces exist from the start and cannot be deleted;
// - a deleted namespace is Terminating (it holds the `kubernetes` finalizer); the purger deletes
//   everything in it, and once the last object is gone it drops the finalizer, which removes it.
import { ApiError, forbidden, notFound } from '../../api/errors.js';
import { parseFieldSelector } from '../../api/fields.js';
import { parseLabelSelector } from '../../api/labels.js';
import { storedResources } from '../../api/resources.js';
import type { KubeObject, Namespace } from '../../api/types.js';
import type { Logger } from '../../util/log.js';
import type { WriteQuery } from '../http/query.js';
import type { ObjectFilter } from '../watchcache/filter.js';
import type { WatchCache } from '../watchcache/watch-cache.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission.js';
import { deleteObject } from './deletion.js';
import type { WriteHooks } from './reservation.js';
import type { ResourceRest } from './rest.js';

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;
const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public']);
export const namespaceFinalizer = 'kubernetes';

/** A write the apiserver makes itself (no user, no dry run, unknown fields ignored). */
export const systemWrite: WriteQuery = {
  dryRun: false,
  fieldManager: undefined,
  fieldValidation: 'Ignore',
  force: false,
};

export function isTerminating(ns: KubeObject): boolean {
  return !!ns.metadata.deletionTimestamp || (ns as unknown as Namespace).status?.phase === 'Terminating';
}

/**
 * The NamespaceLifecycle admission plugin. It reads namespaces from the watch cache (with a live read
 * when the cache does not know one yet), and it remembers the namespaces this apiserver has just
 * started terminating: the cache may not have seen that write, but a create into it must be 403 at once.
 */
export class NamespaceLifecycle implements AdmissionPlugin {
  readonly name = 'NamespaceLifecycle';
  private readonly terminating = new Set<string>();

  constructor(
    private readonly cache: WatchCache,
    private readonly namespaces: () => ResourceRest,
  ) {}

  /** Hooks for the namespaces write path: remember terminating namespaces until they are gone. */
  readonly hooks: WriteHooks = {
    afterDeletionPending: (ns) => this.terminating.add(ns.metadata.name ?? ''),
    afterDelete: (ns) => this.terminating.delete(ns.metadata.name ?? ''),
  };

  async validate(a: AdmissionAttributes): Promise<void> {
    if (a.resource.name === 'namespaces') {
      if (a.operation === 'DELETE' && immortalNamespaces.has(a.name)) {
        throw forbidden(`namespaces "${a.name}" is forbidden: this namespace may not be deleted`, {
          name: a.name,
          kind: 'namespaces',
        });
      }
      return;
    }
    if (a.operation !== 'CREATE' || !a.resource.namespaced) return;
    let terminating = this.terminating.has(a.namespace);
    if (!terminating) {
      // The cache may lag a namespace created a moment ago: fall back to a live read, as Kubernetes does.
      const cached = this.cache
        .cache('namespaces')
        .objects.get(`/registry/namespaces/${a.namespace}`)?.object;
      const ns = cached ?? (await this.namespaces().store.get('', a.namespace));
      if (!ns) throw notFound('namespaces', a.namespace);
      terminating = isTerminating(ns);
    }
    if (terminating) {
      throw forbidden(
        `${a.resource.name} "${a.name}" is forbidden: unable to create new content in namespace ${a.namespace} because it is being terminated`,
        { name: a.name, kind: a.resource.name },
      );
    }
  }
}

/** Creates the system namespaces that do not exist yet. */
export async function bootstrapNamespaces(namespaces: ResourceRest): Promise<void> {
  for (const name of systemNamespaces) {
    if (await namespaces.store.get('', name)) continue;
    try {
      await namespaces.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, systemWrite);
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    }
  }
}

/**
 * Purges terminating namespaces. Runs when a namespace turns terminating and again whenever something
 * in a terminating namespace is deleted, until the namespace is empty; one run per namespace at a time.
 */
export class NamespacePurger {
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();

  constructor(
    private readonly cache: WatchCache,
    private readonly rests: ReadonlyMap<string, ResourceRest>,
    private readonly logger: Logger,
  ) {}

  /** Hook for the watch cache's change events. */
  observe(resource: string, object: KubeObject, type: string): void {
    if (resource === 'namespaces') {
      if (type !== 'DELETED' && isTerminating(object)) this.schedule(object.metadata.name ?? '');
      return;
    }
    const ns = object.metadata.namespace;
    if (type === 'DELETED' && ns && this.isTerminatingNamespace(ns)) this.schedule(ns);
  }

  /** Looks for namespaces left terminating (e.g. by a restart mid-purge). */
  resume(): void {
    for (const ns of this.cache.cache('namespaces').objects.values()) {
      if (isTerminating(ns.object)) this.schedule(ns.name);
    }
  }

  private isTerminatingNamespace(name: string): boolean {
    const ns = this.cache.cache('namespaces').objects.get(`/registry/namespaces/${name}`);
    return !!ns && isTerminating(ns.object);
  }

  private schedule(name: string): void {
    if (this.running.has(name)) {
      this.again.add(name);
      return;
    }
    this.running.add(name);
    setImmediate(() => {
      this.purge(name)
        .catch((e: unknown) => this.logger.warn({ namespace: name, err: e }, 'namespace purge failed'))
        .finally(() => {
          this.running.delete(name);
          if (this.again.delete(name)) this.schedule(name);
        });
    });
  }

  private async purge(name: string): Promise<void> {
    if (!this.isTerminatingNamespace(name)) return;
    // A consistent view: an object created just before the namespace turned Terminating must be seen.
    await this.cache.waitUntilFresh();
    let remaining = 0;
    for (const resource of storedResources) {
      if (!resource.namespaced) continue;
      const rest = this.rests.get(resource.name)!;
      for (const object of this.cache.cache(resource.name).list(everything(name))) {
        if (object.object.metadata.deletionTimestamp) {
          remaining++;
          continue;
        }
        try {
          const outcome = await deleteObject(
            rest,
            name,
            object.name,
            { propagationPolicy: 'Background' },
            false,
          );
          if (!outcome.deleted) remaining++;
        } catch (e) {
          if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
        }
      }
    }
    if (remaining > 0) return; // deletions in progress: their DELETED events bring us back
    await this.cache.waitUntilFresh();
    const counts = storedResources
      .filter((r) => r.namespaced)
      .map((r) => this.cache.cache(r.name).countInNamespace(name));
    if (counts.some((n) => n > 0)) return;
    await this.rests.get('namespaces')!.updateWith(
      '',
      name,
      (current) => {
        const ns = structuredClone(current) as unknown as Namespace;
        ns.spec = {
          ...ns.spec,
          finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== namespaceFinalizer),
        };
        return ns as unknown as KubeObject;
      },
      systemWrite,
      'finalize',
    );
  }
}

function everything(namespace: string): ObjectFilter {
  return {
    namespace,
    name: '',
    labelSelector: parseLabelSelector(''),
    fieldSelector: parseFieldSelector(''),
  };
}
