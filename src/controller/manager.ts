// The controller-manager: the enabled controllers on ONE shared informer factory (one list+watch per
// resource for all of them), each with its own work queue and workers, until the signal aborts.
//
//   const cm = createControllerManager({ client, nodeMonitorGracePeriodMs: 40_000 });
//   await cm.run(signal);

import { createEventRecorder, type EventRecorder } from '../client/events.js';
import type { SharedInformerFactory } from '../client/informer-factory.js';
import { createInformerFactory } from '../client/informer-factory.js';
import { createRegistry, type Registry } from '../metrics/registry.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/log.js';
import type { Controller, ControllerClient } from './controller.js';
import { createEndpointsController } from './endpoints/controller.js';
import { createGarbageCollector } from './garbagecollector/controller.js';
import { createNodeLifecycleController } from './nodelifecycle/controller.js';
import { createReplicationManager } from './replication/controller.js';

export const controllerNames = ['replication', 'endpoints', 'nodeLifecycle', 'garbageCollector'] as const;
export type ControllerName = (typeof controllerNames)[number];

export interface ControllerManagerOptions {
  client: ControllerClient;
  /** Which controllers run; each defaults to true. */
  controllers?: Partial<Record<ControllerName, boolean>>;
  /** Workers per controller (defaults: replication 5, endpoints 5, nodeLifecycle 4, garbageCollector 4). */
  workers?: Partial<Record<ControllerName, number>>;
  /** Default 40 000 (Kubernetes: 50 s since 1.32, 40 s before). */
  nodeMonitorGracePeriodMs?: number;
  /** Default 60 000 (Kubernetes' value). */
  nodeStartupGracePeriodMs?: number;
  /** Default 60 000 (Kubernetes: 300 s through DefaultTolerationSeconds). */
  podEvictionTimeoutMs?: number;
  /** Default 0: endpoints follow every pod change at once. */
  endpointUpdatesBatchPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
  registry?: Registry;
  /** The shared informer factory; default one over `client` (tests hand in fakes). */
  informerFactory?: Pick<SharedInformerFactory, 'informer' | 'start' | 'stopped'>;
}

export interface ControllerManager {
  readonly controllers: readonly Controller[];
  readonly registry: Registry;
  /** Starts the informers and every controller; resolves once all have stopped after the signal. */
  run(signal: AbortSignal): Promise<void>;
  /** True once every controller's informers have listed. */
  hasSynced(): boolean;
}

export function createControllerManager(options: ControllerManagerOptions): ControllerManager {
  const { client } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const registry = options.registry ?? createRegistry({ component: 'controller-manager' });
  const factory = options.informerFactory ?? createInformerFactory(client, { clock, logger });
  const enabled = (name: ControllerName): boolean => options.controllers?.[name] ?? true;
  const workers = options.workers ?? {};
  const recorders: EventRecorder[] = [];
  const recorder = (component: string): EventRecorder => {
    const r = createEventRecorder(client, { component, clock, logger });
    recorders.push(r);
    return r;
  };
  const common = { client, informers: factory, clock, logger, registry };

  const controllers: Controller[] = [];
  if (enabled('replication')) {
    controllers.push(
      createReplicationManager({
        ...common,
        workers: workers.replication,
        recorder: recorder('replication-controller'),
      }),
    );
  }
  if (enabled('endpoints')) {
    controllers.push(
      createEndpointsController({
        ...common,
        workers: workers.endpoints,
        batchPeriodMs: options.endpointUpdatesBatchPeriodMs,
      }),
    );
  }
  if (enabled('nodeLifecycle')) {
    controllers.push(
      createNodeLifecycleController({
        ...common,
        workers: workers.nodeLifecycle,
        recorder: recorder('node-controller'),
        nodeMonitorGracePeriodMs: options.nodeMonitorGracePeriodMs,
        nodeStartupGracePeriodMs: options.nodeStartupGracePeriodMs,
        podEvictionTimeoutMs: options.podEvictionTimeoutMs,
      }),
    );
  }
  if (enabled('garbageCollector')) {
    controllers.push(createGarbageCollector({ ...common, workers: workers.garbageCollector }));
  }

  return {
    controllers,
    registry,
    hasSynced: () => controllers.every((c) => c.hasSynced()),
    async run(signal) {
      logger.info({ controllers: controllers.map((c) => c.name) }, 'starting controllers');
      factory.start(signal);
      const results = await Promise.allSettled(controllers.map((c) => c.run(signal)));
      await factory.stopped();
      // The last moments' events (bounded: the recorders give up on failing writes).
      await Promise.all(recorders.map((r) => r.flush()));
      for (const [i, r] of results.entries()) {
        if (r.status === 'rejected')
          logger.error({ err: r.reason, controller: controllers[i]!.name }, 'controller failed');
      }
    },
  };
}
