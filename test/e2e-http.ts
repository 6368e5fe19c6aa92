// HTTP from the host for the end-to-end story: one request per connection (so the proxy balances
// each one anew), outcomes as values, and a poller that keeps asking a service while the cluster
// changes underneath it.
import { request } from 'undici';
import { sleep } from './e2e-wait.js';

export type HttpOutcome =
  | { ok: true; status: number; body: string }
  | { ok: false; status?: number; error: string };

/** GET `url` on a fresh connection (closed after the answer); never throws. */
export async function hostGet(url: string, timeoutMs = 10_000): Promise<HttpOutcome> {
  try {
    const res = await request(url, { reset: true, signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.body.text();
    if (res.statusCode !== 200) return { ok: false, status: res.statusCode, error: body.slice(0, 200) };
    return { ok: true, status: res.statusCode, body };
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { ok: false, error: code ?? (err instanceof Error ? err.message : String(err)) };
  }
}

/** The body of a successful GET; throws with the outcome otherwise. */
export async function hostGetOk(url: string, timeoutMs?: number): Promise<string> {
  const outcome = await hostGet(url, timeoutMs);
  if (!outcome.ok) throw new Error(`GET ${url}: ${outcome.status ?? ''} ${outcome.error}`);
  return outcome.body;
}

/** `count` sequential GETs of `url`; the trimmed bodies of those that succeeded and the failures. */
export async function askRepeatedly(
  url: string,
  count: number,
): Promise<{ answers: string[]; failures: string[] }> {
  const answers: string[] = [];
  const failures: string[] = [];
  for (let i = 0; i < count; i++) {
    const outcome = await hostGet(url);
    if (outcome.ok) answers.push(outcome.body.trim());
    else failures.push(`${outcome.status ?? ''} ${outcome.error}`.trim());
  }
  return { answers, failures };
}

export interface PollStats {
  requests: number;
  failures: number;
  /** The longest run of consecutive failed requests. */
  longestFailureRun: number;
  /** Distinct failure messages with their counts. */
  errors: Record<string, number>;
  /** Which answers came back, with their counts. */
  answers: Record<string, number>;
}

export interface ServicePoller {
  /** Stops polling (after the request in flight) and returns the totals. */
  stop(): Promise<PollStats>;
  /** The totals so far. */
  stats(): PollStats;
}

/** GETs `url` one request after another, `pauseMs` apart, until stopped, counting what happens. */
export function pollService(url: string, pauseMs = 200): ServicePoller {
  const stats: PollStats = { requests: 0, failures: 0, longestFailureRun: 0, errors: {}, answers: {} };
  let run = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const outcome = await hostGet(url);
      stats.requests++;
      if (outcome.ok) {
        run = 0;
        const answer = outcome.body.trim();
        stats.answers[answer] = (stats.answers[answer] ?? 0) + 1;
      } else {
        stats.failures++;
        run++;
        stats.longestFailureRun = Math.max(stats.longestFailureRun, run);
        const key = `${outcome.status ?? ''} ${outcome.error}`.trim();
        stats.errors[key] = (stats.errors[key] ?? 0) + 1;
      }
      if (!stopped) await sleep(pauseMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return stats;
    },
    stats: () => stats,
  };
}
