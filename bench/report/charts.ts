// Which charts the suite draws, and drawing them from the benchmarks' JSON. Like the goals table,
// chart specs name figures by path (json-path.ts), so a benchmark that lacks a figure yields no
// chart rather than an error. Latency charts plot every percentile an object carries (p50, p90,
// p99, p999, with or without an `Ms` suffix) on an x axis spaced like HdrHistogram's plots.
import { type Bindings, fill, resolve } from './json-path.js';
import { type BarGroup, type Reference, renderBarChart, renderLineChart } from './svg.js';

interface BarSource {
  path: string;
  /** Group label template (one cluster of bars). */
  group: string;
  /** Bar label template (one colour across groups). */
  bar: string;
}

interface ChartBase {
  bench: string;
  /** File name template (without .svg); one chart per distinct filled name. */
  name: string;
  title: string;
  references?: Reference[];
  /** References read from the JSON, e.g. a ceiling measured in the same run. */
  referencePaths?: { path: string; label: string }[];
}

export interface BarChartSpec extends ChartBase {
  kind: 'bars';
  yLabel: string;
  sources: BarSource[];
}

export interface LatencyChartSpec extends ChartBase {
  kind: 'latency';
  /** Paths to objects holding percentiles in milliseconds, each with its series label template. */
  sources: { path: string; series: string }[];
}

export type ChartSpec = BarChartSpec | LatencyChartSpec;

export interface DrawnChart {
  bench: string;
  file: string;
  title: string;
  svg: string;
}

/** Percentile of a key such as p50, p999, p99Ms; undefined for other keys. */
export function percentileOf(key: string): number | undefined {
  const m = /^p(\d+)(?:Ms)?$/.exec(key);
  if (!m) return undefined;
  const digits = m[1]!;
  // p50, p90, p99 are percents; p999 is 99.9, p9999 is 99.99.
  return digits.length <= 2 ? Number(digits) : Number(`${digits.slice(0, 2)}.${digits.slice(2)}`);
}

const percentileX = (p: number) => -Math.log10(1 - p / 100);

function percentilePoints(value: unknown): { x: number; y: number; p: number }[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value)
    .map(([key, v]) => ({ p: percentileOf(key), v }))
    .filter((e): e is { p: number; v: number } => e.p !== undefined && typeof e.v === 'number' && e.p < 100)
    .map((e) => ({ x: percentileX(e.p), y: e.v, p: e.p }))
    .sort((a, b) => a.x - b.x);
}

function groupByName<T extends { bindings: Bindings }>(template: string, items: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = fill(template, item.bindings);
    out.set(key, [...(out.get(key) ?? []), item]);
  }
  return out;
}

function references(spec: ChartSpec, json: unknown, bindings: Bindings): Reference[] {
  const fromJson = (spec.referencePaths ?? []).flatMap((r) => {
    const [m] = resolve(json, r.path, bindings);
    return typeof m?.value === 'number' ? [{ value: m.value, label: fill(r.label, bindings) }] : [];
  });
  return [...(spec.references ?? []), ...fromJson];
}

function drawLatency(spec: LatencyChartSpec, json: unknown): DrawnChart[] {
  const drawn: DrawnChart[] = [];
  const all = spec.sources.flatMap((source) =>
    resolve(json, source.path).map((m) => ({ ...m, label: fill(source.series, m.bindings) })),
  );
  for (const [name, matches] of groupByName(spec.name, all)) {
    const series = matches
      .map((m) => ({ label: m.label, points: percentilePoints(m.value) }))
      .filter((s) => s.points.length > 0);
    if (series.length === 0) continue;
    const ps = [...new Set(series.flatMap((s) => s.points.map((p) => p.p)))].sort((a, b) => a - b);
    const bindings = matches[0]!.bindings;
    drawn.push({
      bench: spec.bench,
      file: name,
      title: fill(spec.title, bindings),
      svg: renderLineChart({
        title: fill(spec.title, bindings),
        xLabel: 'percentile',
        yLabel: 'latency (ms)',
        series,
        xTicks: ps.map((p) => ({ value: percentileX(p), label: `p${p}` })),
        references: references(spec, json, bindings),
      }),
    });
  }
  return drawn;
}

function drawBars(spec: BarChartSpec, json: unknown): DrawnChart[] {
  const bars = spec.sources.flatMap((source) =>
    resolve(json, source.path)
      .filter((m) => typeof m.value === 'number' && Number.isFinite(m.value))
      .map((m) => ({
        bindings: m.bindings,
        group: fill(source.group, m.bindings),
        bar: fill(source.bar, m.bindings),
        value: m.value as number,
      })),
  );
  const drawn: DrawnChart[] = [];
  for (const [name, list] of groupByName(spec.name, bars)) {
    const groups: BarGroup[] = [];
    for (const b of list) {
      let group = groups.find((g) => g.label === b.group);
      if (!group) groups.push((group = { label: b.group, bars: [] }));
      group.bars.push({ label: b.bar, value: b.value });
    }
    const bindings = list[0]!.bindings;
    drawn.push({
      bench: spec.bench,
      file: name,
      title: fill(spec.title, bindings),
      svg: renderBarChart({
        title: fill(spec.title, bindings),
        yLabel: spec.yLabel,
        groups,
        references: references(spec, json, bindings),
      }),
    });
  }
  return drawn;
}

/** Every chart whose figures are present in `results` (benchmark name → parsed JSON). */
export function drawCharts(specs: ChartSpec[], results: Map<string, unknown>): DrawnChart[] {
  return specs.flatMap((spec) => {
    const json = results.get(spec.bench);
    if (json === undefined) return [];
    const drawn = spec.kind === 'bars' ? drawBars(spec, json) : drawLatency(spec, json);
    return drawn.map((d) => ({ ...d, file: `${d.file.replace(/[^A-Za-z0-9_-]+/g, '-')}.svg` }));
  });
}
