// Helpers for the runtime conformance suite and the runtime test files: waiting for events and
// reading log streams, each bounded by a deadline so a broken runtime fails a test instead of hanging.
import type { Readable } from 'node:stream';
import type { Runtime, RuntimeEvent } from './types.js';

/** Records a runtime's events from the moment it is made; `next` waits for a matching one. */
export class EventRecorder {
  readonly events: RuntimeEvent[] = [];
  private readonly waiters = new Set<{
    match: (e: RuntimeEvent) => boolean;
    resolve: (e: RuntimeEvent) => void;
  }>();
  private readonly unsubscribe: () => void;

  constructor(runtime: Runtime) {
    this.unsubscribe = runtime.subscribe((e) => {
      this.events.push(e);
      for (const w of this.waiters) {
        if (w.match(e)) {
          this.waiters.delete(w);
          w.resolve(e);
        }
      }
    });
  }

  /** The first event (already seen or still to come) matching `match`. */
  next(match: (e: RuntimeEvent) => boolean, timeoutMs = 20_000, what = 'event'): Promise<RuntimeEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return withDeadline(
      new Promise<RuntimeEvent>((resolve) => this.waiters.add({ match, resolve })),
      timeoutMs,
      `no ${what} within ${timeoutMs} ms`,
    );
  }

  of(containerId: string): string[] {
    return this.events.filter((e) => e.containerId === containerId).map((e) => e.type);
  }

  close(): void {
    this.unsubscribe();
    this.waiters.clear();
  }
}

export async function withDeadline<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Everything a stream produces until it ends. */
export function readAll(stream: Readable, timeoutMs = 20_000): Promise<string> {
  const chunks: Buffer[] = [];
  return withDeadline(
    new Promise<string>((resolve, reject) => {
      stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
      stream.once('end', () => resolve(Buffer.concat(chunks).toString()));
      stream.once('error', reject);
    }),
    timeoutMs,
    'log stream did not end',
  ).finally(() => stream.destroy());
}

/** Reads a (following) stream until its text contains `needle`; returns the text so far. */
export function readUntil(stream: Readable, needle: string, timeoutMs = 20_000): Promise<string> {
  let text = '';
  return withDeadline(
    new Promise<string>((resolve, reject) => {
      stream.on('data', (c: Buffer) => {
        text += c.toString();
        if (text.includes(needle)) resolve(text);
      });
      stream.once('end', () => reject(new Error(`log ended without "${needle}": ${JSON.stringify(text)}`)));
      stream.once('error', reject);
    }),
    timeoutMs,
    `no "${needle}" in the log within ${timeoutMs} ms`,
  );
}
