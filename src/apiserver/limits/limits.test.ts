import { describe, expect, it } from 'vitest';
import { deadlineMs, parseGoDurationMs, resolveLimits } from './limits.js';

describe('limits', () => {
  it('parses Go durations as kubectl sends them in ?timeout=', () => {
    expect(parseGoDurationMs('32s')).toBe(32_000);
    expect(parseGoDurationMs('1m30s')).toBe(90_000);
    expect(parseGoDurationMs('1h0m0s')).toBe(3_600_000);
    expect(parseGoDurationMs('250ms')).toBe(250);
    expect(parseGoDurationMs('1.5s')).toBe(1500);
    expect(parseGoDurationMs('5')).toBeUndefined();
    expect(parseGoDurationMs('-5s')).toBeUndefined();
    expect(parseGoDurationMs('1x')).toBeUndefined();
  });

  it('lets a client shorten the deadline, never lengthen it', () => {
    expect(deadlineMs(60_000, '5s')).toBe(5000);
    expect(deadlineMs(60_000, '10m')).toBe(60_000);
    expect(deadlineMs(60_000, 'bogus')).toBe(60_000);
    expect(deadlineMs(60_000, null)).toBe(60_000);
    expect(deadlineMs(0, '2s')).toBe(2000);
  });

  it("defaults to Kubernetes' limits and refuses negative ones", () => {
    expect(resolveLimits()).toEqual({
      maxRequestsInflight: 400,
      maxMutatingRequestsInflight: 200,
      requestTimeoutMs: 60_000,
      maxWatchesPerUser: 1000,
      retryAfterSeconds: 1,
    });
    expect(() => resolveLimits({ maxRequestsInflight: -1 })).toThrow(/maxRequestsInflight/);
  });
});
