// A bounded window of recent events in revision order. Resuming a watch from resourceVersion X replays
// the events after X from here; X older than the window means the client must relist (410 Expired).
import type { CacheEvent } from './event.js';

export class EventRing {
  private readonly slots: Array<CacheEvent | undefined>;
  private start = 0;
  private count = 0;
  /** Every event with a revision above this is in the window (the window's exclusive lower bound). */
  private floor: number;

  constructor(
    readonly capacity: number,
    startRevision: number,
  ) {
    this.slots = new Array(capacity);
    this.floor = startRevision;
  }

  get size(): number {
    return this.count;
  }

  /** Events after this revision can be replayed; watching from below it is Expired. */
  get oldestResumableRevision(): number {
    return this.floor;
  }

  push(event: CacheEvent): void {
    if (this.count === this.capacity) {
      const evicted = this.slots[this.start]!;
      this.slots[this.start] = undefined;
      this.start = (this.start + 1) % this.capacity;
      this.count--;
      this.floor = evicted.revision;
    }
    this.slots[(this.start + this.count) % this.capacity] = event;
    this.count++;
  }

  /** Events with revision > `revision`, oldest first; undefined when the window no longer reaches back. */
  since(revision: number): CacheEvent[] | undefined {
    if (revision < this.floor) return undefined;
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    const out: CacheEvent[] = [];
    for (let i = lo; i < this.count; i++) out.push(this.at(i));
    return out;
  }

  /** Forgets everything (after a relist): the window restarts at `revision`. */
  reset(revision: number): void {
    this.slots.fill(undefined);
    this.start = 0;
    this.count = 0;
    this.floor = revision;
  }

  private at(i: number): CacheEvent {
    return this.slots[(this.start + i) % this.capacity]!;
  }
}
