// Reading a component's /metrics (Prometheus text format) in benchmarks: samples, and quantiles of
// a histogram between two scrapes computed as Prometheus' histogram_quantile() does (linear within
// the bucket), so a figure here is the figure a dashboard shows.

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const sampleLine = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/;
const labelPair = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheusText(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = sampleLine.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(labelPair)) labels[k!] = v!.replace(/\\(.)/g, '$1');
    const value = m[3] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[3]);
    out.push({ name: m[1]!, labels, value });
  }
  return out;
}

export interface HistogramSeries {
  /** The labels other than `le`. */
  labels: Record<string, string>;
  /** Cumulative counts by upper bound, ascending, ending with +Inf. */
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

/** The series of histogram `name`, keyed by their labels without `le`. */
export function histograms(samples: PromSample[], name: string): Map<string, HistogramSeries> {
  const out = new Map<string, HistogramSeries>();
  const keyOf = (labels: Record<string, string>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== 'le')
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  const series = (labels: Record<string, string>) => {
    const key = keyOf(labels);
    let s = out.get(key);
    if (!s) {
      const { le: _, ...rest } = labels;
      out.set(key, (s = { labels: rest, buckets: [], count: 0, sum: 0 }));
    }
    return s;
  };
  for (const sample of samples) {
    if (sample.name === `${name}_bucket`)
      series(sample.labels).buckets.push({ le: Number(sample.labels.le ?? Number.NaN), count: sample.value });
    else if (sample.name === `${name}_count`) series(sample.labels).count = sample.value;
    else if (sample.name === `${name}_sum`) series(sample.labels).sum = sample.value;
  }
  for (const s of out.values()) s.buckets.sort((a, b) => a.le - b.le);
  return out;
}

/** `after − before` bucket by bucket (the observations made between two scrapes). */
export function histogramDelta(after: HistogramSeries, before: HistogramSeries | undefined): HistogramSeries {
  if (!before) return after;
  const prior = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    labels: after.labels,
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (prior.get(b.le) ?? 0) })),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/** Prometheus' histogram_quantile: linear interpolation inside the bucket; the highest finite bound
 * when the quantile falls in +Inf; NaN without observations. */
export function histogramQuantile(q: number, series: HistogramSeries): number {
  const buckets = series.buckets;
  const total = buckets[buckets.length - 1]?.count ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let previousLe = 0;
  let previousCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return previousLe;
      const inBucket = b.count - previousCount;
      return inBucket <= 0 ? b.le : previousLe + ((b.le - previousLe) * (rank - previousCount)) / inBucket;
    }
    previousLe = b.le;
    previousCount = b.count;
  }
  return previousLe;
}
