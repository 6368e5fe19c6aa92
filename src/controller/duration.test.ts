import { describe, expect, it } from 'vitest';
import { parseDurationMs } from './duration.js';

describe('parseDurationMs', () => {
  it('reads Go durations and bare milliseconds', () => {
    expect(parseDurationMs('40s')).toBe(40_000);
    expect(parseDurationMs('5m')).toBe(300_000);
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    expect(parseDurationMs('250')).toBe(250);
    expect(parseDurationMs('0s')).toBe(0);
  });

  it('rejects anything else', () => {
    for (const bad of ['', '40', 'x', '5 m', '10d', '1m-3s', 's']) {
      if (bad === '40') continue; // bare numbers are milliseconds
      expect(() => parseDurationMs(bad)).toThrow(/invalid duration/);
    }
  });
});
