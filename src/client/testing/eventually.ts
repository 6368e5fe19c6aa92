// Test-only: expect.poll with a timeout that tolerates a busy two-core machine (the default is 1 s).
import { expect } from 'vitest';

export function eventually<T>(read: () => T | Promise<T>) {
  return expect.poll(read, { timeout: 15_000, interval: 5 });
}
