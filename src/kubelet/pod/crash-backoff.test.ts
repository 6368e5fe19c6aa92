import { describe, expect, it } from 'vitest';
import { BackoffTracker, formatGoDuration } from './crash-backoff.js';

describe('restart back-off', () => {
  const policy = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

  it('doubles from the initial delay to the maximum', () => {
    const b = new BackoffTracker(policy);
    const waits = [];
    for (let i = 0; i < 7; i++) waits.push(b.next('p/c', i * 1000));
    expect(waits).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it('holds a death back only while its back-off lasts', () => {
    const b = new BackoffTracker(policy);
    expect(b.remaining('p/c', 0, 0)).toBe(0); // never restarted: no back-off
    b.next('p/c', 1000);
    expect(b.remaining('p/c', 2000, 5000)).toBe(7000);
    expect(b.remaining('p/c', 2000, 12_000)).toBe(0);
  });

  it('starts over after a long run, in both the check and the next delay', () => {
    const b = new BackoffTracker(policy);
    b.next('p/c', 0);
    b.next('p/c', 1000);
    expect(b.current('p/c')).toBe(20_000);
    const late = 700_000;
    expect(b.remaining('p/c', late, late)).toBe(0);
    expect(b.next('p/c', late)).toBe(10_000);
  });

  it('forgets every key of a pod', () => {
    const b = new BackoffTracker(policy);
    b.next('uid-1/a', 0);
    b.next('uid-1/b', 0);
    b.next('uid-2/a', 0);
    b.forgetPrefix('uid-1/');
    expect(b.size).toBe(1);
  });

  it('formats durations as Go does', () => {
    expect(formatGoDuration(10_000)).toBe('10s');
    expect(formatGoDuration(80_000)).toBe('1m20s');
    expect(formatGoDuration(300_000)).toBe('5m0s');
    expect(formatGoDuration(250)).toBe('250ms');
  });
});
