// Fan-out of runtime events to listeners and async iterators. A listener that throws is isolated
// from the others; an iterator buffers until its consumer catches up (the kubelet drains promptly).
import type { RuntimeEvent, RuntimeEventListener } from './types.js';

export class EventHub {
  private readonly listeners = new Set<RuntimeEventListener>();
  private readonly closers = new Set<() => void>();
  private closed = false;

  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  get size(): number {
    return this.listeners.size;
  }

  subscribe(listener: RuntimeEventListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  emit(event: RuntimeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  events(signal?: AbortSignal): AsyncIterableIterator<RuntimeEvent> {
    const queue: RuntimeEvent[] = [];
    let wake: (() => void) | undefined;
    let done = this.closed || signal?.aborted === true;
    const finish = () => {
      done = true;
      unsubscribe();
      signal?.removeEventListener('abort', finish);
      this.closers.delete(finish);
      wake?.();
    };
    const unsubscribe = this.subscribe((e) => {
      queue.push(e);
      wake?.();
    });
    signal?.addEventListener('abort', finish, { once: true });
    this.closers.add(finish);
    if (done) finish();
    const iterator: AsyncIterableIterator<RuntimeEvent> = {
      async next() {
        while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r));
        wake = undefined;
        const value = queue.shift();
        return value ? { value, done: false } : { value: undefined, done: true };
      },
      async return() {
        finish();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Ends every iterator and drops every listener. */
  close(): void {
    this.closed = true;
    for (const finish of [...this.closers]) finish();
    this.listeners.clear();
  }
}
