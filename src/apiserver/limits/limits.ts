// Overload protection, as Kubernetes' max-in-flight and timeout filters: at most N read-only and M
// mutating requests at once (429 TooManyRequests with Retry-After past that), a deadline for every
// request that is not long-running (504 Timeout), and a cap on concurrent watches per user (429).
// Long-running requests — watches and pod logs — take no in-flight slot and have no deadline.

import type { Gauge, Registry } from 'prom-client';
import { Counter, Gauge as PromGauge } from 'prom-client';
import { ApiError } from '../../api/errors.js';
import type { PipelineContext, Stage } from '../pipeline.js';

export interface LimitOptions {
  /** Read-only requests in flight at once; 0 = unlimited. Default 400 (Kubernetes' --max-requests-inflight). */
  maxRequestsInflight?: number;
  /** Mutating requests in flight at once; 0 = unlimited. Default 200 (--max-mutating-requests-inflight). */
  maxMutatingRequestsInflight?: number;
  /** Deadline of a request that is not long-running; 0 = none. Default 60 000 (--request-timeout 60s).
   *  A client's `?timeout=` may shorten it, never lengthen it. */
  requestTimeoutMs?: number;
  /** Watches one user may hold open at once; 0 = unlimited. Default 1000. Not applied without authentication. */
  maxWatchesPerUser?: number;
  /** Retry-After of a 429, in seconds. Default 1. */
  retryAfterSeconds?: number;
}

export interface ResolvedLimits {
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  requestTimeoutMs: number;
  maxWatchesPerUser: number;
  retryAfterSeconds: number;
}

export function resolveLimits(options: LimitOptions = {}): ResolvedLimits {
  const limits = {
    maxRequestsInflight: options.maxRequestsInflight ?? 400,
    maxMutatingRequestsInflight: options.maxMutatingRequestsInflight ?? 200,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    maxWatchesPerUser: options.maxWatchesPerUser ?? 1000,
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
  };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`apiserver limit ${key} must be ≥ 0, got ${value}`);
  }
  return limits;
}

const longRunningSubresources = new Set(['log', 'attach', 'exec', 'portforward', 'proxy']);
const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isLongRunning(ctx: PipelineContext): boolean {
  const info = ctx.info;
  return (
    info?.kind === 'resource' && (info.verb === 'watch' || longRunningSubresources.has(info.subresource))
  );
}

export interface Limits {
  readonly stage: Stage;
  /** Requests in flight now, by kind (for tests and metrics). */
  inflight(kind: 'readOnly' | 'mutating'): number;
  watches(user: string): number;
}

export function createLimits(options: LimitOptions = {}, registry?: Registry): Limits {
  const limits = resolveLimits(options);
  const current = { readOnly: 0, mutating: 0 };
  const watchesByUser = new Map<string, number>();
  const metrics = registry ? limitMetrics(registry) : undefined;

  const tooMany = (message: string) =>
    new ApiError('TooManyRequests', message, { retryAfterSeconds: limits.retryAfterSeconds });

  async function longRunning(ctx: PipelineContext, next: () => Promise<void>): Promise<void> {
    const user = ctx.user?.name;
    if (
      ctx.info?.kind !== 'resource' ||
      ctx.info.verb !== 'watch' ||
      !user ||
      limits.maxWatchesPerUser === 0
    ) {
      return next();
    }
    const held = watchesByUser.get(user) ?? 0;
    if (held >= limits.maxWatchesPerUser) {
      metrics?.rejected.inc({ request_kind: 'watch' });
      throw tooMany(`Too many requests: user "${user}" already holds ${held} watches`);
    }
    watchesByUser.set(user, held + 1);
    // The handler returns once the watch is registered; the watch lasts until its response closes.
    ctx.res.once('close', () => {
      const left = (watchesByUser.get(user) ?? 1) - 1;
      if (left <= 0) watchesByUser.delete(user);
      else watchesByUser.set(user, left);
    });
    await next();
  }

  const stage: Stage = async (ctx, next) => {
    if (isLongRunning(ctx)) return longRunning(ctx, next);
    const kind = readMethods.has(ctx.req.method ?? 'GET') ? 'readOnly' : 'mutating';
    const max = kind === 'readOnly' ? limits.maxRequestsInflight : limits.maxMutatingRequestsInflight;
    if (max > 0 && current[kind] >= max) {
      metrics?.rejected.inc({ request_kind: kind });
      throw tooMany('Too many requests, please try again later.');
    }
    current[kind]++;
    metrics?.inflight.set({ request_kind: kind }, current[kind]);
    // The slot is held until the handler is done, even after its client got a 504.
    const handler = next().finally(() => {
      current[kind]--;
      metrics?.inflight.set({ request_kind: kind }, current[kind]);
    });
    const timeoutMs = deadlineMs(limits.requestTimeoutMs, ctx.url.searchParams.get('timeout'));
    if (timeoutMs === 0) return handler;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([handler.then(() => 'done' as const), expired]);
      if (outcome === 'done' || ctx.res.headersSent) return await handler;
    } finally {
      clearTimeout(timer);
    }
    handler.catch(() => {}); // the 504 is the answer; what the handler does later goes nowhere
    metrics?.timeouts.inc();
    throw new ApiError(
      'Timeout',
      'Timeout: request did not complete within requested timeout - context deadline exceeded',
    );
  };

  return {
    stage,
    inflight: (kind) => current[kind],
    watches: (user) => watchesByUser.get(user) ?? 0,
  };
}

/** The server's deadline, or the client's `timeout` (a Go duration such as "32s") when shorter. */
export function deadlineMs(serverMs: number, clientTimeout: string | null): number {
  const requested = clientTimeout ? parseGoDurationMs(clientTimeout) : undefined;
  if (requested === undefined || requested <= 0) return serverMs;
  return serverMs === 0 ? requested : Math.min(serverMs, requested);
}

const units: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000001,
};

/** "1h2m3.5s", "500ms", "32s" → milliseconds; undefined when malformed. */
export function parseGoDurationMs(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) total += Number(m[1]) * units[m[2]!]!;
  return total;
}

function limitMetrics(registry: Registry) {
  const inflight: Gauge<'request_kind'> = new PromGauge({
    name: 'apiserver_current_inflight_requests',
    help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
    labelNames: ['request_kind'],
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'apiserver_dropped_requests_total',
    help: 'Number of requests dropped with "Try again later" response (429), by request kind.',
    labelNames: ['request_kind'],
    registers: [registry],
  });
  const timeouts = new Counter({
    name: 'apiserver_request_timeouts_total',
    help: 'Requests answered 504 Timeout because they did not complete within the request timeout.',
    registers: [registry],
  });
  return { inflight, rejected, timeouts };
}
