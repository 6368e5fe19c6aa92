// The benchmark report's pieces (bench/report/): the path language, goal expressions, rows of the
// summary (including JSON whose shape changed), SVG output and percentile handling.
import { describe, expect, it } from 'vitest';
import { drawCharts, percentileOf } from '../bench/report/charts.js';
import { evaluateGoals } from '../bench/report/evaluate.js';
import { meets, parseGoal } from '../bench/report/goal-expression.js';
import type { Goal } from '../bench/report/goals.js';
import { numberAt, resolve } from '../bench/report/json-path.js';
import { parseBenchOutput } from '../bench/report/run-bench.js';
import { renderSummary, skippedComparisons } from '../bench/report/summary.js';
import { niceTicks, renderBarChart, renderLineChart } from '../bench/report/svg.js';
import { wellFormedXml } from './harness/xml.js';

const storage = {
  summary: [
    { backend: 'embedded', writers: 16, writesPerSec: 6000, watchLatencyMs: { p50: 1, p99: 4, p999: 9 } },
    { backend: 'etcd', writers: 16, writesPerSec: 300, watchLatencyMs: { p50: 2, p99: 40, p999: 90 } },
    { backend: 'embedded', writers: 256, writesPerSec: 19000, watchLatencyMs: { p50: 10, p99: 38 } },
    { backend: 'etcd', writers: 256, writesPerSec: 800, watchLatencyMs: { p50: 300, p99: 600 } },
  ],
  results: { 'keepalive-64': { a: { rps: 1 }, b: { rps: 2 } }, 'conn per request': { a: { rps: 3 } } },
};

describe('json-path', () => {
  it('selects by key, index, filter and wildcard, binding names', () => {
    expect(numberAt(storage, 'summary[1].writesPerSec')).toBe(300);
    expect(numberAt(storage, 'summary[-1].writesPerSec')).toBe(800);
    expect(numberAt(storage, 'summary[backend=etcd,writers=256].writesPerSec')).toBe(800);
    const rows = resolve(storage, 'summary[backend=embedded,writers=*].writesPerSec');
    expect(rows.map((r) => [r.value, r.bindings.writers])).toEqual([
      [6000, '16'],
      [19000, '256'],
    ]);
    expect(numberAt(storage, 'summary[backend=etcd,writers={writers}].writesPerSec', { writers: '16' })).toBe(
      300,
    );
    const each = resolve(storage, 'results.{scenario}.{target}.rps');
    expect(each.map((m) => `${m.bindings.scenario}/${m.bindings.target}=${m.value}`)).toEqual([
      'keepalive-64/a=1',
      'keepalive-64/b=2',
      'conn per request/a=3',
    ]);
    expect(resolve(storage, 'results.{scenario:keepalive-64}.{target:b}.rps').map((m) => m.value)).toEqual([
      2,
    ]);
    expect(numberAt(storage, 'results["conn per request"].a.rps')).toBe(3);
  });

  it('yields nothing, not an error, for absent paths and non-numbers', () => {
    expect(resolve(storage, 'nope.deeper[0].x')).toEqual([]);
    expect(resolve(storage, 'summary[backend=zfs].writesPerSec')).toEqual([]);
    expect(numberAt(storage, 'summary[0].backend')).toBeUndefined();
    expect(numberAt(storage, 'summary[9].writesPerSec')).toBeUndefined();
  });
});

describe('goal expressions', () => {
  it('computes thresholds from the peer', () => {
    expect(parseGoal('>= 20000').target(undefined)).toBe(20000);
    expect(parseGoal('>= 0.9 * peer').target(1000)).toBe(900);
    expect(parseGoal('<= peer + 100').target(250)).toBe(350);
    expect(parseGoal('<= (peer - 10) / 2').target(30)).toBe(10);
    expect(parseGoal('>= peer').target(undefined)).toBeUndefined();
    expect(parseGoal('>= peer').usesPeer).toBe(true);
    expect(parseGoal('< 5').usesPeer).toBe(false);
    expect(meets(4.9, '<', 5)).toBe(true);
    expect(meets(5, '<', 5)).toBe(false);
    expect(meets(5, '<=', 5)).toBe(true);
  });

  it('rejects malformed goals', () => {
    expect(() => parseGoal('20000')).toThrow(/expected/);
    expect(() => parseGoal('>= peer peer')).toThrow(/cannot parse/);
    expect(() => parseGoal('>= process.exit()')).toThrow();
  });
});

describe('goal rows', () => {
  const goals: Goal[] = [
    {
      bench: 'storage',
      figure: 'writes/s, {writers} writers',
      path: 'summary[backend=embedded,writers=*].writesPerSec',
      unit: 'writes/s',
      peer: { name: 'etcd', path: 'summary[backend=etcd,writers={writers}].writesPerSec' },
      goal: '>= 10 * peer',
    },
    {
      bench: 'storage',
      figure: 'watch p99 at {writers}',
      path: 'summary[backend=embedded,writers=*].watchLatencyMs.p99',
      unit: 'ms',
      goal: '< 5',
    },
    {
      bench: 'storage',
      figure: 'renamed figure',
      path: 'summary[backend=embedded].writesPerSecond',
      unit: 'writes/s',
      goal: '>= 1',
    },
    { bench: 'proxy', figure: 'tcp req/s', path: 'results.x', unit: 'req/s', goal: '>= peer' },
  ];
  const rows = evaluateGoals(
    goals,
    new Map([['storage', storage]]),
    new Map([['proxy', 'benchmark failed']]),
  );

  it('puts figures beside peers with ratios and verdicts', () => {
    expect(rows[0]).toMatchObject({
      figure: 'writes/s, 16 writers',
      value: 6000,
      peerValue: 300,
      vsPeer: 20,
      target: 3000,
      verdict: 'met',
    });
    expect(rows[1]).toMatchObject({
      figure: 'writes/s, 256 writers',
      value: 19000,
      peerValue: 800,
      target: 8000,
      verdict: 'met',
    });
    expect(rows[2]).toMatchObject({ figure: 'watch p99 at 16', verdict: 'met' });
    expect(rows[3]).toMatchObject({ figure: 'watch p99 at 256', value: 38, verdict: 'missed' });
  });

  it('reports missing figures instead of failing', () => {
    expect(rows[4]).toMatchObject({ figure: 'renamed figure', verdict: 'missing', note: 'not in the JSON' });
    expect(rows[5]).toMatchObject({ bench: 'proxy', verdict: 'missing', note: 'benchmark failed' });
    const markdown = renderSummary({
      startedAt: new Date(0),
      quick: false,
      machine: { cpus: 2 },
      runs: [
        {
          name: 'storage',
          about: 'a',
          args: [],
          status: 'ok',
          exitCode: 0,
          durationMs: 1,
          stderrFile: 's.log',
          jsonFile: 's.json',
          skipped: {},
        },
        {
          name: 'proxy',
          about: 'b',
          args: ['--quick'],
          status: 'failed',
          exitCode: 1,
          durationMs: 1,
          stderrFile: 'p.log',
          error: 'boom',
          skipped: { 'haproxy-tcp': 'haproxy not installed' },
        },
      ],
      rows,
      charts: [],
      chartDir: 'charts',
    });
    expect(markdown).toContain(
      '| writes/s, 16 writers | 6,000 writes/s | etcd: 300 | ×20.0 | ≥ 10 * peer (3,000) | ×2.00 | ✓ |',
    );
    expect(markdown).toContain('| watch p99 at 256 | 38 ms |  |  | < 5 | ×7.60 | ✗ |');
    expect(markdown).toContain('missing (not in the JSON)');
    expect(markdown).toContain('- haproxy-tcp: haproxy not installed');
    expect(markdown).toContain('**failed: boom** (exit 1)');
  });
});

describe('benchmark output', () => {
  it('takes one JSON object, pretty or on the last line', () => {
    expect(parseBenchOutput('{\n  "a": 1\n}\n')).toEqual({ a: 1 });
    expect(parseBenchOutput('warming up\n{"a":2}\n')).toEqual({ a: 2 });
    expect(parseBenchOutput('[1,2]')).toBeUndefined();
    expect(parseBenchOutput('no json')).toBeUndefined();
  });

  it('reads skipped comparisons as an object or a list', () => {
    expect(skippedComparisons({ skipped: { kernel: 'needs root' } })).toEqual({ kernel: 'needs root' });
    expect(
      skippedComparisons({ skipped: [{ what: 'etcd', reason: 'not installed' }, 'docker: no socket'] }),
    ).toEqual({
      etcd: 'not installed',
      '2': 'docker: no socket',
    });
    expect(skippedComparisons(undefined)).toEqual({});
  });
});

describe('charts', () => {
  it('maps percentile keys', () => {
    expect([percentileOf('p50'), percentileOf('p99Ms'), percentileOf('p999'), percentileOf('p9999')]).toEqual(
      [50, 99, 99.9, 99.99],
    );
    expect(percentileOf('max')).toBeUndefined();
  });

  it('draws well-formed SVG with escaped labels and no NaN', () => {
    const line = renderLineChart({
      title: 'a <b> & "c"',
      xLabel: 'percentile',
      yLabel: 'ms',
      series: [
        {
          label: 'x&y',
          points: [
            { x: 0.3, y: 0.5 },
            { x: 2, y: 900 },
          ],
        },
      ],
      xTicks: [
        { value: 0.3, label: 'p50' },
        { value: 2, label: 'p99' },
      ],
      references: [{ value: 5, label: 'goal' }],
    });
    const bars = renderBarChart({
      title: 't',
      yLabel: 'req/s',
      groups: [
        {
          label: 'g',
          bars: [
            { label: 'a', value: 0 },
            { label: 'b', value: 12345 },
          ],
        },
      ],
    });
    for (const svg of [line, bars]) {
      expect(wellFormedXml(svg)).toBe(true);
      expect(svg).not.toMatch(/NaN|Infinity/);
    }
    expect(line).toContain('a &#60;b&#62; &#38; &#34;c&#34;');
    expect(wellFormedXml('<svg><g></svg></g>')).toBe(false);
    expect(wellFormedXml('<svg>a & b</svg>')).toBe(false);
  });

  it('gives round ticks', () => {
    expect(niceTicks(0, 47479)).toEqual([0, 10000, 20000, 30000, 40000, 50000]);
    expect(niceTicks(0, 0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('draws only the charts whose figures exist', () => {
    const charts = drawCharts(
      [
        {
          kind: 'latency',
          bench: 'storage',
          name: 'watch-{writers}',
          title: 'watch {writers}',
          sources: [{ path: 'summary[backend=*,writers=*].watchLatencyMs', series: '{backend}' }],
        },
        {
          kind: 'bars',
          bench: 'storage',
          name: 'gone',
          title: 'gone',
          yLabel: 'x',
          sources: [{ path: 'nothing.here', group: 'g', bar: 'b' }],
        },
        {
          kind: 'bars',
          bench: 'absent',
          name: 'absent',
          title: 'absent',
          yLabel: 'x',
          sources: [{ path: 'x', group: 'g', bar: 'b' }],
        },
      ],
      new Map([['storage', storage]]),
    );
    expect(charts.map((c) => c.file)).toEqual(['watch-16.svg', 'watch-256.svg']);
    expect(charts[0]!.svg).toContain('p99.9');
  });
});
