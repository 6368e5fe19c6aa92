// Per-container restart back-off, as Kubernetes' flowcontrol.Backoff keyed by pod and container:
// the first restart is immediate, then each death waits initialMs doubling up to maxMs before the
// next start. A container that ran long enough (resetAfterMs between two deaths) starts over at
// initialMs. The same structure paces image checks of a missing image (ImagePullBackOff).

export interface BackoffPolicy {
  /** First wait (Kubernetes: 10 s). */
  initialMs: number;
  /** Longest wait (Kubernetes: 5 min). */
  maxMs: number;
  /** Deaths further apart than this start over at initialMs (Kubernetes: 10 min). */
  resetAfterMs: number;
}

export const defaultRestartBackoff: BackoffPolicy = {
  initialMs: 10_000,
  maxMs: 300_000,
  resetAfterMs: 600_000,
};

interface Entry {
  backoffMs: number;
  /** The event time of the last `next`. */
  lastUpdate: number;
}

export class BackoffTracker {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly policy: BackoffPolicy) {}

  /** Milliseconds left of the back-off that began at `eventTime`, 0 when it is over (or none). */
  remaining(key: string, eventTime: number, now: number): number {
    const entry = this.entries.get(key);
    // A death long after the last restart (a stable run) is not held back: the back-off starts over.
    if (!entry || eventTime - entry.lastUpdate > this.policy.resetAfterMs) return 0;
    const until = eventTime + entry.backoffMs;
    return until > now ? until - now : 0;
  }

  /** Milliseconds left of the back-off counted from the last `next` (image checks), 0 when over. */
  remainingSinceUpdate(key: string, now: number): number {
    const entry = this.entries.get(key);
    return entry ? this.remaining(key, entry.lastUpdate, now) : 0;
  }

  /** The current back-off of `key` (ms), undefined when there is none. */
  current(key: string): number | undefined {
    return this.entries.get(key)?.backoffMs;
  }

  /** Counts one more failure at `eventTime`: the next wait doubles, or starts over after a long run. */
  next(key: string, eventTime: number): number {
    const entry = this.entries.get(key);
    if (!entry || eventTime - entry.lastUpdate > this.policy.resetAfterMs) {
      this.entries.set(key, { backoffMs: this.policy.initialMs, lastUpdate: eventTime });
      return this.policy.initialMs;
    }
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.policy.maxMs);
    entry.lastUpdate = eventTime;
    return entry.backoffMs;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every key that starts with `prefix` (all containers of a pod: `<uid>/`). */
  forgetPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** "10s", "1m20s", "5m0s": Go's time.Duration format for whole seconds, as Kubernetes' messages show. */
export function formatGoDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
