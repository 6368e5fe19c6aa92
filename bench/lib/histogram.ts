// Latency percentiles through hdr-histogram-js (microsecond resolution, values recorded in ms).
import { build } from 'hdr-histogram-js';

export interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export class LatencyHistogram {
  private readonly histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

  /** Records one latency given in milliseconds. */
  recordMs(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  /** The latency at any percentile (e.g. 90, 99.9), in milliseconds. */
  atMs(percentile: number): number {
    return Math.round(this.histogram.getValueAtPercentile(percentile)) / 1000;
  }

  /** Percentiles in milliseconds. */
  percentilesMs(): Percentiles {
    const h = this.histogram;
    const at = (p: number) => Math.round(h.getValueAtPercentile(p)) / 1000;
    return {
      count: h.totalCount,
      p50: at(50),
      p99: at(99),
      p999: at(99.9),
      max: Math.round(h.maxValue) / 1000,
    };
  }
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
