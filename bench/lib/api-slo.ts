// API call latency against Kubernetes' SLOs, from the apiserver's own histogram
// apiserver_request_duration_seconds between two scrapes of /metrics (what Kubernetes' scale tests
// and dashboards use). Per verb, resource and subresource: count, p50 and p99 as
// histogram_quantile() computes them, and the SLO that applies: 1 s for mutating calls and single
// gets, 30 s for lists. WATCH and CONNECT are long-lived by design and have no latency SLO.
import { request } from 'undici';
import {
  type HistogramSeries,
  histogramDelta,
  histogramQuantile,
  histograms,
  parsePrometheusText,
} from './prometheus-text.js';

export interface ApiCallLatency {
  /** e.g. "PATCH nodes/status", "LIST pods". */
  call: string;
  verb: string;
  resource: string;
  subresource: string;
  count: number;
  p50Ms: number;
  p99Ms: number;
  /** True when p99 falls in the histogram's last (+Inf) bucket: the figure is a lower bound. */
  p99AboveLastBucket: boolean;
  sloMs: number;
  withinSlo: boolean;
}

const metric = 'apiserver_request_duration_seconds';
const noSlo = new Set(['WATCH', 'WATCHLIST', 'CONNECT']);

export type ApiHistograms = Map<string, HistogramSeries>;

export async function scrapeApiHistograms(apiserverUrl: string): Promise<ApiHistograms> {
  const res = await request(`${apiserverUrl}/metrics`, { headersTimeout: 60_000, bodyTimeout: 60_000 });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${apiserverUrl}/metrics: ${res.statusCode}`);
  return histograms(parsePrometheusText(text), metric);
}

export function sloMsFor(verb: string): number {
  return verb === 'LIST' ? 30_000 : 1_000;
}

/** Latency per call between two scrapes, worst p99 relative to its SLO first. */
export function apiCallLatencies(after: ApiHistograms, before: ApiHistograms): ApiCallLatency[] {
  const out: ApiCallLatency[] = [];
  for (const [key, series] of after) {
    const delta = histogramDelta(series, before.get(key));
    const { verb = '', resource = '', subresource = '' } = delta.labels;
    if (noSlo.has(verb) || delta.count <= 0) continue;
    const finite = delta.buckets.filter((b) => Number.isFinite(b.le));
    const lastFinite = finite[finite.length - 1];
    const p99 = histogramQuantile(0.99, delta);
    const sloMs = sloMsFor(verb);
    const p99Ms = Math.round(p99 * 1e6) / 1e3;
    out.push({
      call: `${verb} ${resource}${subresource ? `/${subresource}` : ''}`,
      verb,
      resource,
      subresource,
      count: delta.count,
      p50Ms: Math.round(histogramQuantile(0.5, delta) * 1e6) / 1e3,
      p99Ms,
      p99AboveLastBucket: lastFinite !== undefined && lastFinite.count < 0.99 * delta.count,
      sloMs,
      withinSlo: p99Ms <= sloMs,
    });
  }
  return out.sort((a, b) => b.p99Ms / b.sloMs - a.p99Ms / a.sloMs);
}
