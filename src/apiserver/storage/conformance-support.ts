// Helpers for the conformance suite: byte/string conversion, a watch handler that records events and
// lets a test wait for a condition, and a compact summary of events for comparisons.
import type { StorageEvent, WatchHandlers } from './types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const bytes = (s: string): Uint8Array => encoder.encode(s);
export const text = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : decoder.decode(b);

/** Deterministic pseudo-random bytes (xorshift), so large-value tests are reproducible. */
export function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

export interface EventSummary {
  type: 'put' | 'delete';
  key: string;
  revision: number;
  value: string | undefined;
  createRevision: number;
  prevValue: string | undefined;
  prevModRevision: number | undefined;
}

export function summarize(e: StorageEvent): EventSummary {
  return {
    type: e.type,
    key: e.key,
    revision: e.revision,
    value: text(e.value),
    createRevision: e.createRevision,
    prevValue: text(e.prevValue),
    prevModRevision: e.prevModRevision,
  };
}

/** Records what a watch delivers. */
export class EventCollector implements WatchHandlers {
  readonly events: StorageEvent[] = [];
  error: Error | undefined;
  /** Calls of onEvents, to check batches arrive in order. */
  batches = 0;
  private wake: Array<() => void> = [];

  onEvents(events: readonly StorageEvent[]): void {
    this.batches++;
    this.events.push(...events);
    this.notify();
  }

  onError(error: Error): void {
    this.error = error;
    this.notify();
  }

  get lastRevision(): number {
    return this.events.at(-1)?.revision ?? 0;
  }

  /** Waits until `done()` holds; fails with `what` and the recorded state after `timeoutMs`. */
  async waitFor(done: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.error) throw new Error(`watch failed while waiting for ${what}: ${this.error.message}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out waiting for ${what}: ${this.events.length} events, last revision ${this.lastRevision}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for an event at or above `revision`. */
  untilRevision(revision: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.lastRevision >= revision, `revision ${revision}`, timeoutMs);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = [];
    for (const w of wake) w();
  }
}

/** Runs `fn` over `items` with at most `concurrency` in flight; results in input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
