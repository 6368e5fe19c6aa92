// Recording core/v1 Events, the way Kubernetes' event recorder and correlator do it: the same event
// (object, type, reason, message, source) seen again within the aggregation window does not create a
// new Event but raises `count` and `lastTimestamp` of the existing one with a PATCH.
//
// record() never blocks and never throws: it updates an in-memory entry and schedules a write. Repeats
// that arrive while a write for the same event is in flight are folded into one follow-up PATCH. At
// most `queueSize` distinct events wait for writing; beyond that new ones are dropped (and logged).
import { randomInt } from 'node:crypto';
import type { Event, ObjectReference } from '../api/types.js';
import { type Clock, rfc3339, systemClock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/log.js';
import { isAlreadyExists, isNotFound } from './errors.js';
import type { ApiObject, NamespacedClient } from './resource.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** source.component and reportingComponent, e.g. "default-scheduler", "kubelet". */
  component: string;
  /** source.host and reportingInstance, e.g. the node name. */
  host?: string;
  clock?: Clock;
  logger?: Logger;
  /** Repeats within this time aggregate into one Event. Default 600 000 (Kubernetes: 10 minutes). */
  aggregationWindowMs?: number;
  /** Distinct events waiting to be written; more are dropped. Default 1000. */
  queueSize?: number;
  /** Writes in flight at once. Default 4. */
  concurrency?: number;
  /** Events remembered for aggregation (least recently seen forgotten first). Default 4096. */
  cacheSize?: number;
}

export interface EventRecorder {
  /**
   * Records an event about `involved` (an API object with kind, or an ObjectReference). Returns at once;
   * the write happens in the background and failures are only logged.
   */
  record(involved: ApiObject | ObjectReference, type: EventType, reason: string, message: string): void;
  /** Resolves when every recorded event has been written (or given up on). */
  flush(): Promise<void>;
}

interface Entry {
  key: string;
  namespace: string;
  ref: ObjectReference;
  type: EventType;
  reason: string;
  message: string;
  /** The Event's name once created. */
  name?: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  lastSeenMs: number;
  /** Has changes the server has not seen yet. */
  dirty: boolean;
  queued: boolean;
  inFlight: boolean;
}

/** The ObjectReference Kubernetes puts in involvedObject. */
export function objectReference(obj: ApiObject | ObjectReference): ObjectReference {
  if (!('metadata' in obj) || obj.metadata === undefined) return obj as ObjectReference;
  const o = obj as ApiObject;
  const ref: ObjectReference = { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name };
  if (o.metadata.uid) ref.uid = o.metadata.uid;
  if (o.apiVersion) ref.apiVersion = o.apiVersion;
  if (o.metadata.resourceVersion) ref.resourceVersion = o.metadata.resourceVersion;
  return ref;
}

export function createEventRecorder(
  client: { events: NamespacedClient<Event> },
  options: EventRecorderOptions,
): EventRecorder {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const windowMs = options.aggregationWindowMs ?? 600_000;
  const queueSize = options.queueSize ?? 1000;
  const concurrency = options.concurrency ?? 4;
  const cacheSize = options.cacheSize ?? 4096;
  const source = { component: options.component, ...(options.host ? { host: options.host } : {}) };

  const cache = new Map<string, Entry>(); // insertion order = least recently seen first
  const pending: Entry[] = [];
  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];

  function remember(entry: Entry): void {
    cache.delete(entry.key);
    cache.set(entry.key, entry);
    if (cache.size <= cacheSize) return;
    for (const [key, old] of cache) {
      if (cache.size <= cacheSize) break;
      if (!old.inFlight && !old.dirty) cache.delete(key);
    }
  }

  function schedule(entry: Entry): void {
    if (entry.inFlight || entry.queued) return;
    if (pending.length >= queueSize) {
      logger.warn({ reason: entry.reason, object: entry.ref.name }, 'event queue full; dropping event');
      entry.dirty = false;
      if (entry.name === undefined) cache.delete(entry.key);
      return;
    }
    entry.queued = true;
    pending.push(entry);
    pump();
  }

  function pump(): void {
    while (inFlight < concurrency && pending.length > 0) void write(pending.shift()!);
    if (inFlight === 0 && pending.length === 0 && idleWaiters.length > 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  function newEvent(entry: Entry): Event {
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: eventName(entry.ref.name ?? 'unknown'), namespace: entry.namespace },
      involvedObject: entry.ref,
      reason: entry.reason,
      message: entry.message,
      type: entry.type,
      source,
      firstTimestamp: entry.firstTimestamp,
      lastTimestamp: entry.lastTimestamp,
      count: entry.count,
      reportingComponent: options.component,
      reportingInstance: options.host ?? '',
    };
  }

  function eventName(objectName: string): string {
    // Kubernetes: "<object>.<hex nanoseconds>"; random low digits keep two processes apart.
    const nanos = BigInt(clock.now()) * 1_000_000n + BigInt(randomInt(1_000_000));
    return `${objectName}.${nanos.toString(16)}`;
  }

  async function write(entry: Entry): Promise<void> {
    inFlight++;
    entry.queued = false;
    entry.inFlight = true;
    entry.dirty = false;
    try {
      if (entry.name === undefined) {
        for (let attempt = 0; ; attempt++) {
          const event = newEvent(entry);
          try {
            await client.events.create(entry.namespace, event);
            entry.name = event.metadata.name;
            break;
          } catch (e) {
            if (!isAlreadyExists(e) || attempt >= 2) throw e;
          }
        }
      } else {
        try {
          await client.events.patch(entry.namespace, entry.name, 'merge', {
            count: entry.count,
            lastTimestamp: entry.lastTimestamp,
          });
        } catch (e) {
          if (!isNotFound(e)) throw e;
          // The Event expired or was deleted on the server: record it afresh.
          entry.name = undefined;
          entry.dirty = true;
        }
      }
    } catch (e) {
      logger.warn({ err: e, reason: entry.reason, object: entry.ref.name }, 'could not write event');
      if (entry.name === undefined && cache.get(entry.key) === entry) cache.delete(entry.key);
    } finally {
      entry.inFlight = false;
      inFlight--;
      if (entry.dirty) schedule(entry);
      pump();
    }
  }

  return {
    record(involved, type, reason, message) {
      const ref = objectReference(involved);
      const key = [
        source.component,
        options.host ?? '',
        ref.kind,
        ref.namespace,
        ref.name,
        ref.uid,
        ref.apiVersion,
        type,
        reason,
        message,
      ].join('\u0000');
      const now = clock.now();
      const seen = cache.get(key);
      if (seen && now - seen.lastSeenMs <= windowMs) {
        seen.count++;
        seen.lastTimestamp = rfc3339(now);
        seen.lastSeenMs = now;
        seen.dirty = true;
        remember(seen);
        schedule(seen);
        return;
      }
      const timestamp = rfc3339(now);
      const entry: Entry = {
        key,
        namespace: ref.namespace || 'default',
        ref,
        type,
        reason,
        message,
        count: 1,
        firstTimestamp: timestamp,
        lastTimestamp: timestamp,
        lastSeenMs: now,
        dirty: true,
        queued: false,
        inFlight: false,
      };
      remember(entry);
      schedule(entry);
    },
    flush() {
      if (inFlight === 0 && pending.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
