// A small SVG chart generator (no dependencies): line charts with numeric or labelled x ticks and a
// linear or logarithmic y axis, and grouped bar charts, both with a legend and optional horizontal
// reference lines (goals, SLOs). Output is a standalone SVG document.

export interface Reference {
  value: number;
  label: string;
}

export interface LineSeries {
  label: string;
  points: { x: number; y: number }[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Ticks placed on the x axis (the values used in points). */
  xTicks: { value: number; label: string }[];
  /** Logarithmic y axis; default: when the values span more than two decades. */
  logY?: boolean;
  references?: Reference[];
}

export interface BarGroup {
  label: string;
  bars: { label: string; value: number }[];
}

export interface BarChart {
  title: string;
  yLabel: string;
  groups: BarGroup[];
  references?: Reference[];
}

const palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];
const extraPalette = ['#9c755f', '#bab0ac', '#1b9e77', '#7570b3', '#d95f02', '#66a61e'];
const colors = [...palette, ...extraPalette];

const width = 760;
const height = 420;
const margin = { top: 44, right: 190, bottom: 64, left: 74 };
const plotW = width - margin.left - margin.right;
const plotH = height - margin.top - margin.bottom;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Short number text for ticks and bar labels: 12.3k, 4.56, 0.012. */
export function shortNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${+(n / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return String(Math.round(n));
  if (abs === 0) return '0';
  return String(+n.toPrecision(3));
}

/** Round tick values covering [lo, hi] (1, 2, 5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
  if (ticks[ticks.length - 1]! < hi) ticks.push(+(ticks[ticks.length - 1]! + step).toPrecision(12));
  return ticks;
}

interface YScale {
  at(value: number): number;
  ticks: number[];
}

function linearScale(values: number[]): YScale {
  const ticks = niceTicks(0, Math.max(...values, 0));
  const top = ticks[ticks.length - 1]!;
  return { ticks, at: (v) => margin.top + plotH - (v / top) * plotH };
}

function logScale(values: number[]): YScale {
  const positive = values.filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.min(...positive)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...positive))));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) ticks.push(10 ** e);
  const at = (v: number) =>
    margin.top + plotH - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotH;
  return { ticks, at };
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(content)}</text>`;
}

function frame(
  title: string,
  yLabel: string,
  y: YScale,
  body: string[],
  legend: string[],
  extraBottom = 0,
): string {
  const h = height + extraBottom;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" viewBox="0 0 ${width} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${h}" fill="#ffffff"/>`,
    text(width / 2 - margin.right / 2, 24, title, 'text-anchor="middle" font-size="15" font-weight="bold"'),
    text(
      16,
      margin.top + plotH / 2,
      yLabel,
      `text-anchor="middle" transform="rotate(-90 16 ${margin.top + plotH / 2})"`,
    ),
  ];
  for (const t of y.ticks) {
    const py = y.at(t);
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${py.toFixed(1)}" y2="${py.toFixed(1)}" stroke="#e3e3e3"/>`,
      text(margin.left - 6, py + 4, shortNumber(t), 'text-anchor="end" fill="#444"'),
    );
  }
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#333"/>`,
    `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="#333"/>`,
    ...body,
    ...legend,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

function legendEntries(labels: string[], marker: 'line' | 'box'): string[] {
  const x = margin.left + plotW + 16;
  return labels.flatMap((label, i) => {
    const y = margin.top + 8 + i * 18;
    const color = colors[i % colors.length]!;
    const mark =
      marker === 'line'
        ? `<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2.5"/>`
        : `<rect x="${x + 3}" y="${y - 6}" width="12" height="12" fill="${color}"/>`;
    return [mark, text(x + 24, y + 4, label.length > 26 ? `${label.slice(0, 25)}…` : label)];
  });
}

function referenceLines(references: Reference[] | undefined, y: YScale): string[] {
  return (references ?? []).flatMap((r) => {
    const py = y.at(r.value);
    if (py < margin.top - 1) return [];
    return [
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${py.toFixed(1)}" y2="${py.toFixed(1)}" stroke="#c00" stroke-dasharray="6 4"/>`,
      text(margin.left + plotW - 4, py - 4, r.label, 'text-anchor="end" fill="#c00"'),
    ];
  });
}

export function renderLineChart(chart: LineChart): string {
  const values = [
    ...chart.series.flatMap((s) => s.points.map((p) => p.y)),
    ...(chart.references ?? []).map((r) => r.value),
  ];
  const positive = values.filter((v) => v > 0);
  const span = positive.length ? Math.max(...positive) / Math.min(...positive) : 1;
  const y = (chart.logY ?? span > 100) && positive.length ? logScale(positive) : linearScale(values);
  const xs = chart.xTicks.map((t) => t.value);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const xAt = (v: number) => margin.left + 20 + ((v - x0) / (x1 - x0 || 1)) * (plotW - 40);
  const body: string[] = [];
  for (const t of chart.xTicks) {
    const px = xAt(t.value);
    body.push(
      `<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#f0f0f0"/>`,
      text(px, margin.top + plotH + 18, t.label, 'text-anchor="middle"'),
    );
  }
  body.push(text(margin.left + plotW / 2, height - 16, chart.xLabel, 'text-anchor="middle"'));
  chart.series.forEach((s, i) => {
    const color = colors[i % colors.length]!;
    const points = s.points.map((p) => `${xAt(p.x).toFixed(1)},${y.at(p.y).toFixed(1)}`);
    body.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(' ')}"/>`);
    for (const p of s.points)
      body.push(
        `<circle cx="${xAt(p.x).toFixed(1)}" cy="${y.at(p.y).toFixed(1)}" r="3" fill="${color}"><title>${escapeXml(`${s.label}: ${shortNumber(p.y)}`)}</title></circle>`,
      );
  });
  body.push(...referenceLines(chart.references, y));
  return frame(
    chart.title,
    chart.yLabel,
    y,
    body,
    legendEntries(
      chart.series.map((s) => s.label),
      'line',
    ),
  );
}

export function renderBarChart(chart: BarChart): string {
  const labels = [...new Set(chart.groups.flatMap((g) => g.bars.map((b) => b.label)))];
  const values = [
    ...chart.groups.flatMap((g) => g.bars.map((b) => b.value)),
    ...(chart.references ?? []).map((r) => r.value),
  ];
  const y = linearScale(values);
  const groupW = plotW / Math.max(1, chart.groups.length);
  const slanted = chart.groups.length > 5;
  const body: string[] = [];
  chart.groups.forEach((group, gi) => {
    const barW = Math.min(40, (groupW * 0.8) / Math.max(1, group.bars.length));
    const start = margin.left + gi * groupW + (groupW - barW * group.bars.length) / 2;
    group.bars.forEach((bar, bi) => {
      const color = colors[labels.indexOf(bar.label) % colors.length]!;
      const top = y.at(bar.value);
      const x = start + bi * barW;
      body.push(
        `<rect x="${(x + 1).toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(margin.top + plotH - top).toFixed(1)}" fill="${color}"><title>${escapeXml(`${group.label} / ${bar.label}: ${bar.value}`)}</title></rect>`,
      );
      if (barW >= 18)
        body.push(text(x + barW / 2, top - 4, shortNumber(bar.value), 'text-anchor="middle" font-size="10"'));
    });
    const gx = margin.left + gi * groupW + groupW / 2;
    const gy = margin.top + plotH + 16;
    // Many groups: labels slanted down to the right (into the legend's margin, never off the left).
    const label = slanted && group.label.length > 30 ? `${group.label.slice(0, 29)}…` : group.label;
    const attrs = slanted
      ? `text-anchor="start" transform="rotate(40 ${gx.toFixed(1)} ${gy - 10})"`
      : 'text-anchor="middle"';
    body.push(text(slanted ? gx - 4 : gx, gy - (slanted ? 8 : 0), label, attrs));
  });
  body.push(...referenceLines(chart.references, y));
  return frame(chart.title, chart.yLabel, y, body, legendEntries(labels, 'box'), slanted ? 120 : 0);
}
