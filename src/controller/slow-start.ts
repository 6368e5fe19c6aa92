// Kubernetes' slowStartBatch: run `count` calls in batches of 1, 2, 4, … (each batch concurrently),
// stopping after the first batch with a failure. A template the apiserver rejects then costs one failed
// request, not hundreds, while a healthy one still reaches large counts in a few round trips.

export interface SlowStartResult {
  /** Calls that succeeded. Calls never attempted (after a failing batch) are not counted. */
  successes: number;
  /** The first failure of the failing batch, if any. */
  error?: unknown;
}

export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<void>,
): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failures.length;
    if (failures.length > 0) return { successes, error: failures[0]!.reason };
    remaining -= batch;
  }
  return { successes };
}
