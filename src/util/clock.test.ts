import { describe, expect, it } from 'vitest';
import { FakeClock, rfc3339 } from './clock.js';

describe('FakeClock', () => {
  it('runs due timers in time order, including timers scheduled by timers', () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push('b'), 20);
    clock.setTimeout(() => {
      seen.push('a');
      clock.setTimeout(() => seen.push('c'), 15);
    }, 10);
    const cancelled = clock.setTimeout(() => seen.push('never'), 5);
    cancelled.cancel();
    clock.advance(24);
    expect(seen).toEqual(['a', 'b']);
    clock.advance(1);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(25);
  });

  it('formats RFC 3339 timestamps the way Kubernetes does', () => {
    expect(rfc3339(Date.UTC(2026, 10, 25, 1, 2, 3, 456))).toBe('2026-11-25T01:02:03Z');
  });
});
