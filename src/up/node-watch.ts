// The supervisor's view of its nodes: one informer on nodes (list once, then watch), reporting every
// change of a node's Ready condition and resolving waiters once every node of the cluster is Ready.
import type { Node } from '../api/types.js';
import { createInformer } from '../client/informer.js';
import type { KubeClient } from '../client/rest.js';
import type { Logger } from '../util/log.js';

export interface NodeReadiness {
  name: string;
  /** 'True', 'False', 'Unknown', or 'Missing' while the node is not registered. */
  ready: 'True' | 'False' | 'Unknown' | 'Missing';
  reason?: string;
}

export interface NodeWatchOptions {
  client: Pick<KubeClient, 'resource'>;
  names: readonly string[];
  onChange(readiness: NodeReadiness): void;
  /**
   * A Ready condition whose last heartbeat is older than this (ms since the epoch) does not count:
   * after a restart, nodes still say Ready from the previous run until their new kubelet reports.
   */
  heartbeatSinceMs?: number;
  logger?: Logger;
}

export interface NodeWatch {
  /** Watches until the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** Resolves true once every node is Ready, false if the signal aborts first. */
  allReady(signal: AbortSignal): Promise<boolean>;
  readiness(): NodeReadiness[];
}

export const staleHeartbeat = 'Ready from an earlier run, no heartbeat since this up started';

export function readinessOf(name: string, node: Node | undefined, heartbeatSinceMs = 0): NodeReadiness {
  if (!node) return { name, ready: 'Missing' };
  const condition = node.status?.conditions?.find((c) => c.type === 'Ready');
  const beat = Date.parse(condition?.lastHeartbeatTime ?? '');
  // Heartbeats carry whole seconds.
  if (
    heartbeatSinceMs > 0 &&
    condition?.status === 'True' &&
    !(beat >= Math.floor(heartbeatSinceMs / 1000) * 1000)
  ) {
    return { name, ready: 'Unknown', reason: staleHeartbeat };
  }
  const ready = condition?.status === 'True' || condition?.status === 'False' ? condition.status : 'Unknown';
  return condition?.reason ? { name, ready, reason: condition.reason } : { name, ready };
}

export function createNodeWatch(options: NodeWatchOptions): NodeWatch {
  const wanted = new Set(options.names);
  const state = new Map<string, NodeReadiness>(options.names.map((n) => [n, { name: n, ready: 'Missing' }]));
  let waiters: Array<() => void> = [];
  const informer = createInformer(options.client, 'nodes', options.logger ? { logger: options.logger } : {});

  const everyReady = () => [...state.values()].every((r) => r.ready === 'True');

  function observe(name: string, node: Node | undefined): void {
    if (!wanted.has(name)) return;
    const next = readinessOf(name, node, options.heartbeatSinceMs);
    const previous = state.get(name);
    if (previous?.ready === next.ready && previous.reason === next.reason) return;
    state.set(name, next);
    options.onChange(next);
    if (everyReady()) {
      const ws = waiters;
      waiters = [];
      for (const w of ws) w();
    }
  }

  informer.addEventHandler({
    onAdd: (node) => observe(node.metadata.name ?? '', node),
    onUpdate: (_old, node) => observe(node.metadata.name ?? '', node),
    onDelete: (node) => observe(node.metadata.name ?? '', undefined),
  });

  return {
    run: (signal) => informer.run(signal),
    allReady(signal) {
      if (everyReady()) return Promise.resolve(true);
      if (signal.aborted) return Promise.resolve(false);
      return new Promise((resolve) => {
        const onAbort = () => resolve(false);
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.push(() => {
          signal.removeEventListener('abort', onAbort);
          resolve(true);
        });
      });
    },
    readiness: () => [...state.values()],
  };
}
