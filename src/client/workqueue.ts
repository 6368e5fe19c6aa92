// A work queue with client-go's guarantees, for controllers: keys are deduplicated while they wait
// ("dirty"), a key is never handed to two workers at once ("processing"), a key added while it is being
// processed is queued again once done(key) is called, and failures retry with per-key exponential
// backoff (addRateLimited: baseDelayMs · 2^failures, capped at maxDelayMs; forget(key) resets it).
import { latencyBucketsSeconds, type Registry } from '../metrics/registry.js';
import { type Clock, systemClock, type TimerHandle } from '../util/clock.js';
import { wakeAfter } from './backoff.js';
import { counterOn, gaugeOn, histogramOn } from './metrics.js';

export interface WorkQueueOptions {
  clock?: Clock;
  /** First retry delay of addRateLimited. Default 5. */
  baseDelayMs?: number;
  /** Retry delays stop growing here. Default 1 000 000 (client-go: 1000 s). */
  maxDelayMs?: number;
  /** The `name` label of the queue's metrics. */
  name?: string;
  /** workqueue_depth, workqueue_adds_total, workqueue_retries_total, workqueue_queue_duration_seconds, workqueue_work_duration_seconds. */
  registry?: Registry;
}

/** `K` is any value usable as a Map key, except undefined (get() returns undefined after shutdown). */
export interface WorkQueue<K = string> {
  /** Queues the key unless it is already waiting; if it is being processed, after done(key). */
  add(key: K): void;
  /** Adds the key after `delayMs`; of several pending delays for one key the earliest wins. */
  addAfter(key: K, delayMs: number): void;
  /** Adds after the key's backoff delay and counts one more failure for it. */
  addRateLimited(key: K): void;
  /** Clears the key's failure count (call after a successful sync). */
  forget(key: K): void;
  /** Failures counted for the key since the last forget. */
  numRequeues(key: K): number;
  /** The next key, marked as processing until done(key); undefined once shut down and drained. */
  get(): Promise<K | undefined>;
  done(key: K): void;
  /** Keys waiting to be handed out (not counting delayed or processing ones). */
  len(): number;
  /** Stops accepting keys, cancels delayed adds, and wakes idle get() calls with undefined. */
  shutdown(): void;
  isShuttingDown(): boolean;
}

export function createWorkQueue<K = string>(options: WorkQueueOptions = {}): WorkQueue<K> {
  const clock = options.clock ?? systemClock;
  const baseDelayMs = options.baseDelayMs ?? 5;
  const maxDelayMs = options.maxDelayMs ?? 1_000_000;
  const metrics = options.registry ? createQueueMetrics(options.registry, options.name ?? '') : undefined;

  // FIFO as an array with a moving head: O(1) take without Array#shift's copying.
  let queue: K[] = [];
  let head = 0;
  const dirty = new Set<K>();
  const processing = new Set<K>();
  const delayed = new Map<K, { at: number; timer: TimerHandle }>();
  const failures = new Map<K, number>();
  const waiters: Array<(key: K | undefined) => void> = [];
  let shuttingDown = false;
  // Metric bookkeeping, only with a registry.
  const addedAt = new Map<K, number>();
  const startedAt = new Map<K, number>();

  function take(): K {
    const key = queue[head]!;
    queue[head++] = undefined as K;
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    return key;
  }

  /** Marks a key as handed out. */
  function handOut(key: K): K {
    processing.add(key);
    dirty.delete(key);
    if (metrics) {
      const now = clock.now();
      const added = addedAt.get(key);
      if (added !== undefined) metrics.queueDuration.observe((now - added) / 1000);
      addedAt.delete(key);
      startedAt.set(key, now);
      metrics.depth.set(queue.length - head);
    }
    return key;
  }

  function enqueue(key: K): void {
    const waiter = waiters.shift();
    if (waiter) {
      waiter(handOut(key));
      return;
    }
    queue.push(key);
    metrics?.depth.set(queue.length - head);
  }

  function add(key: K): void {
    if (shuttingDown || dirty.has(key)) return;
    dirty.add(key);
    if (metrics) {
      metrics.adds.inc();
      addedAt.set(key, clock.now());
    }
    if (processing.has(key)) return;
    enqueue(key);
  }

  function addAfter(key: K, delayMs: number): void {
    if (shuttingDown) return;
    if (delayMs <= 0) {
      add(key);
      return;
    }
    const at = clock.now() + delayMs;
    const pending = delayed.get(key);
    if (pending) {
      if (pending.at <= at) return;
      pending.timer.cancel();
    }
    const timer = wakeAfter(clock, delayMs, () => {
      delayed.delete(key);
      add(key);
    });
    delayed.set(key, { at, timer });
  }

  return {
    add,
    addAfter,
    addRateLimited(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      metrics?.retries.inc();
      addAfter(key, Math.min(maxDelayMs, baseDelayMs * 2 ** n));
    },
    forget(key) {
      failures.delete(key);
    },
    numRequeues: (key) => failures.get(key) ?? 0,
    get() {
      if (head < queue.length) return Promise.resolve(handOut(take()));
      if (shuttingDown) return Promise.resolve(undefined);
      return new Promise((resolve) => waiters.push(resolve));
    },
    done(key) {
      processing.delete(key);
      if (metrics) {
        const started = startedAt.get(key);
        if (started !== undefined) metrics.workDuration.observe((clock.now() - started) / 1000);
        startedAt.delete(key);
      }
      if (dirty.has(key)) enqueue(key);
    },
    len: () => queue.length - head,
    shutdown() {
      if (shuttingDown) return;
      shuttingDown = true;
      for (const { timer } of delayed.values()) timer.cancel();
      delayed.clear();
      for (const waiter of waiters.splice(0)) waiter(undefined);
    },
    isShuttingDown: () => shuttingDown,
  };
}

function createQueueMetrics(registry: Registry, name: string) {
  const labels = ['name'];
  return {
    depth: gaugeOn(registry, 'workqueue_depth', 'Current depth of the work queue.', labels).labels(name),
    adds: counterOn(registry, 'workqueue_adds_total', 'Adds handled by the work queue.', labels).labels(name),
    retries: counterOn(registry, 'workqueue_retries_total', 'Rate-limited retries.', labels).labels(name),
    queueDuration: histogramOn(
      registry,
      'workqueue_queue_duration_seconds',
      'Time a key waits in the queue before being handed out.',
      labels,
      latencyBucketsSeconds,
    ).labels(name),
    workDuration: histogramOn(
      registry,
      'workqueue_work_duration_seconds',
      'Time from handing a key out to done().',
      labels,
      latencyBucketsSeconds,
    ).labels(name),
  };
}
