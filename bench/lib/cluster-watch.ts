// What a scale benchmark sees of the cluster through watches, keeping only timestamps and counts
// (not objects, so 150,000 pods fit): when each pod was first seen, bound and Running, and which
// nodes are Ready. Watches resume from their last resourceVersion when the server closes them and
// start over (synthetic ADDED events) after 410 Expired, which is counted: a benchmark client that
// falls out of the window is a finding.
import type { Node, Pod, WatchEvent } from '../../src/api/types.js';
import type { KubeClient } from '../../src/client/rest.js';
import type { Watch, WatchEnd } from '../../src/client/watch.js';

export interface PodTimes {
  /** performance.now() when the watch first delivered the pod. */
  seen: number;
  bound?: number;
  running?: number;
}

export interface WatchHealth {
  restarts: number;
  expired: number;
  errors: number;
  lastError?: string;
}

type Starter<T> = (resourceVersion: string, handler: (e: WatchEvent<T>) => void) => Watch;

/** Keeps one watch open until stopped, resuming after closes and errors. */
function follow<T>(start: Starter<T>, handler: (e: WatchEvent<T>) => void, health: WatchHealth) {
  let current: Watch | undefined;
  let stopped = false;
  let resourceVersion = '';
  const loop = async () => {
    while (!stopped) {
      current = start(resourceVersion, handler);
      const end: WatchEnd = await current.done;
      if (stopped) return;
      health.restarts++;
      if (end.reason === 'expired') {
        health.expired++;
        resourceVersion = '';
      } else {
        resourceVersion = end.resourceVersion;
        if (end.reason === 'error') {
          health.errors++;
          health.lastError = String((end.error as Error)?.message ?? end.error);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  };
  const done = loop();
  return {
    async stop() {
      stopped = true;
      current?.stop();
      await done;
    },
  };
}

export class PodTracker {
  readonly pods = new Map<string, PodTimes>();
  readonly health: WatchHealth = { restarts: 0, expired: 0, errors: 0 };
  bound = 0;
  running = 0;
  private readonly watch;

  constructor(client: KubeClient, labelSelector?: string) {
    this.watch = follow<Pod>(
      (resourceVersion, handler) => client.pods.watch({ resourceVersion, labelSelector }, handler),
      (event) => this.onEvent(event),
      this.health,
    );
  }

  private onEvent(event: WatchEvent<Pod>): void {
    if (event.type !== 'ADDED' && event.type !== 'MODIFIED') return;
    const pod = event.object;
    const uid = pod.metadata?.uid;
    if (!uid) return;
    const now = performance.now();
    let times = this.pods.get(uid);
    if (!times) this.pods.set(uid, (times = { seen: now }));
    if (times.bound === undefined && pod.spec?.nodeName) {
      times.bound = now;
      this.bound++;
    }
    if (times.running === undefined && pod.status?.phase === 'Running') {
      times.running = now;
      this.running++;
    }
  }

  /** Times of the pod with this uid (e.g. one this benchmark created). */
  times(uid: string): PodTimes | undefined {
    return this.pods.get(uid);
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }
}

export class NodeTracker {
  readonly ready = new Map<string, boolean>();
  readonly health: WatchHealth = { restarts: 0, expired: 0, errors: 0 };
  private readonly watch;

  constructor(client: KubeClient) {
    this.watch = follow<Node>(
      (resourceVersion, handler) => client.nodes.watch({ resourceVersion }, handler),
      (event) => {
        const name = event.object.metadata?.name;
        if (!name) return;
        if (event.type === 'DELETED') this.ready.delete(name);
        else if (event.type === 'ADDED' || event.type === 'MODIFIED') {
          const ready = event.object.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
          this.ready.set(name, ready);
        }
      },
      this.health,
    );
  }

  get readyCount(): number {
    let n = 0;
    for (const r of this.ready.values()) if (r) n++;
    return n;
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }
}
