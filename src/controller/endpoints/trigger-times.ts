// The `endpoints.kubernetes.io/last-change-trigger-time` bookkeeping: per service, the time of the
// earliest pod or service change not yet reflected in its Endpoints. The proxy measures network
// programming latency from it, so it must be the change's time, not the write's.
//
// Kubernetes takes it from the objects (the pod Ready condition's lastTransitionTime, the service's
// creationTimestamp), which carry whole seconds; that would swamp the millisecond latencies kubelite
// measures. kubelite takes the moment the controller's informer delivered the change instead (millisecond
// precision; it leaves out only the apiserver → controller watch delay, sub-millisecond on loopback).
export const lastChangeTriggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';

/** Go's time.RFC3339Nano: UTC, fraction without trailing zeros (none at all when zero). */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-05-01T10:00:00.250Z
  return iso.replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

export interface TriggerTimes {
  /** Notes a change affecting the key at `atMs` (the earliest unreflected one is kept). */
  note(key: string, atMs: number): void;
  /** Takes the key's trigger time for a sync (undefined when none is pending). */
  take(key: string): number | undefined;
  /** Puts a taken time back after a failed sync. */
  restore(key: string, atMs: number | undefined): void;
  forget(key: string): void;
}

export function createTriggerTimes(): TriggerTimes {
  const times = new Map<string, number>();
  const note = (key: string, atMs: number): void => {
    const t = times.get(key);
    if (t === undefined || atMs < t) times.set(key, atMs);
  };
  return {
    note,
    take(key) {
      const t = times.get(key);
      times.delete(key);
      return t;
    },
    restore(key, atMs) {
      if (atMs !== undefined) note(key, atMs);
    },
    forget: (key) => void times.delete(key),
  };
}
