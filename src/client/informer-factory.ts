// Shared informers: several controllers in one process (`kubelite controller-manager`, `kubelite up`)
// get ONE informer, one watch and one cache per (resource, namespace, selectors), as with client-go's
// SharedInformerFactory. Indexers asked for by different users are merged into that one cache.
import type { ResourceInfo } from '../api/resources.js';
import { reserveAbortListeners } from '../util/abort.js';
import type { Clock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/log.js';
import type { BackoffOptions } from './backoff.js';
import { createInformer, type Informer } from './informer.js';
import type { ApiObject } from './resource.js';
import type { CoreResourceTypes, KubeClient } from './rest.js';
import type { Indexer } from './store.js';

export interface InformerFactoryOptions {
  clock?: Clock;
  logger?: Logger;
  /** Default resync period of every informer (0 = never). */
  resyncPeriodMs?: number;
  backoff?: BackoffOptions;
  watchTimeoutSeconds?: number;
}

export interface SharedInformerOptions<T> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  indexers?: Record<string, Indexer<T>>;
}

export interface SharedInformerFactory {
  /** The shared informer for these selectors, created on first use (and started if the factory runs). */
  informer<K extends keyof CoreResourceTypes>(
    resource: K,
    options?: SharedInformerOptions<CoreResourceTypes[K]>,
  ): Informer<CoreResourceTypes[K]>;
  informer<T extends ApiObject>(
    resource: string | ResourceInfo,
    options?: SharedInformerOptions<T>,
  ): Informer<T>;
  /** Runs every informer made so far, and each one made later, until the signal aborts. */
  start(signal: AbortSignal): void;
  /** Resolves true once every informer made so far has synced; false if the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean>;
  /** Resolves when every started informer has stopped. */
  stopped(): Promise<void>;
}

export function createInformerFactory(
  client: Pick<KubeClient, 'resource'>,
  options: InformerFactoryOptions = {},
): SharedInformerFactory {
  const logger = options.logger ?? silentLogger;
  const informers = new Map<string, Informer<ApiObject>>();
  const runs: Promise<void>[] = [];
  let signal: AbortSignal | undefined;

  function launch(informer: Informer<ApiObject>): void {
    if (!signal) return;
    // The one signal goes to every informer: each holds one abort listener (its list, watch or pause).
    const release = reserveAbortListeners(signal, 1);
    runs.push(
      informer
        .run(signal)
        .catch((e: unknown) => {
          logger.error({ err: e, resource: informer.resource.name }, 'informer stopped with an error');
        })
        .finally(release),
    );
  }

  function informer<T extends ApiObject>(
    resource: string | ResourceInfo,
    opts: SharedInformerOptions<T> = {},
  ): Informer<T> {
    const name = typeof resource === 'string' ? resource : resource.name;
    const key = `${name}\n${opts.namespace ?? ''}\n${opts.labelSelector ?? ''}\n${opts.fieldSelector ?? ''}`;
    let shared = informers.get(key) as Informer<T> | undefined;
    if (!shared) {
      shared = createInformer<T>(client, resource, {
        namespace: opts.namespace,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        clock: options.clock,
        logger: options.logger,
        resyncPeriodMs: options.resyncPeriodMs,
        backoff: options.backoff,
        watchTimeoutSeconds: options.watchTimeoutSeconds,
      });
      informers.set(key, shared as unknown as Informer<ApiObject>);
      launch(shared as unknown as Informer<ApiObject>);
    }
    if (opts.indexers) shared.addIndexers(opts.indexers);
    return shared;
  }

  return {
    informer,
    start(s) {
      if (signal) throw new Error('informer factory already started');
      signal = s;
      for (const i of informers.values()) launch(i);
    },
    async waitForSync(s) {
      const release = s ? reserveAbortListeners(s, informers.size) : () => {};
      try {
        const results = await Promise.all([...informers.values()].map((i) => i.waitForSync(s)));
        return results.every(Boolean);
      } finally {
        release();
      }
    },
    async stopped() {
      await Promise.all(runs);
    },
  };
}
