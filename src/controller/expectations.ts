// Kubernetes' ControllerExpectations: after a controller issues N creates or deletes for an owner, it
// must not act for that owner again until its informer has observed them, or it would see a stale
// cache and act twice (a slow watch would otherwise double the pods). Creations are counted; deletions
// are tracked by pod key so that an unrelated deletion is not mistaken for ours. A record older than
// the timeout counts as satisfied, so a lost watch event cannot wedge a controller forever.
import type { Clock } from '../util/clock.js';

/** Kubernetes' ExpectationsTimeout. */
export const defaultExpectationsTimeoutMs = 5 * 60_000;

export interface Expectations {
  /** True when nothing is outstanding for the key (or its record has expired): the controller may act. */
  satisfied(key: string): boolean;
  /** Records that `count` creations are about to be issued (replaces any record). */
  expectCreations(key: string, count: number): void;
  /** Records that these pods (by "namespace/name") are about to be deleted (replaces any record). */
  expectDeletions(key: string, podKeys: readonly string[]): void;
  /** One expected creation was seen by the informer, or will never happen (a failed create). */
  creationObserved(key: string): void;
  /** The pod's deletion was seen, or will never happen; ignored when the pod was not expected. */
  deletionObserved(key: string, podKey: string): void;
  /** Forgets the key (its owner is gone). */
  delete(key: string): void;
  /** Outstanding creations and deletions, for tests and logs. */
  pending(key: string): { creations: number; deletions: number } | undefined;
}

interface Record {
  creations: number;
  deletions: Set<string>;
  setAtMs: number;
}

export function createExpectations(
  clock: Clock,
  timeoutMs: number = defaultExpectationsTimeoutMs,
): Expectations {
  const records = new Map<string, Record>();
  return {
    satisfied(key) {
      const r = records.get(key);
      if (!r) return true;
      if (r.creations <= 0 && r.deletions.size === 0) return true;
      return clock.now() - r.setAtMs > timeoutMs;
    },
    expectCreations(key, count) {
      records.set(key, { creations: count, deletions: new Set(), setAtMs: clock.now() });
    },
    expectDeletions(key, podKeys) {
      records.set(key, { creations: 0, deletions: new Set(podKeys), setAtMs: clock.now() });
    },
    creationObserved(key) {
      const r = records.get(key);
      if (r && r.creations > 0) r.creations--;
    },
    deletionObserved(key, podKey) {
      records.get(key)?.deletions.delete(podKey);
    },
    delete(key) {
      records.delete(key);
    },
    pending(key) {
      const r = records.get(key);
      return r ? { creations: r.creations, deletions: r.deletions.size } : undefined;
    },
  };
}
