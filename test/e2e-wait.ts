// Waiting and narrating for the end-to-end story: `eventually` retries a check until it passes
// (bounded, never timed assertions), and the story log keeps what happened with elapsed times so a
// failure in CI says where the cluster was.

/**
 * Calls `check` until it returns without throwing (its value is returned), every `intervalMs`, for at
 * most `timeoutMs`; then throws the last failure, named after `what`.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs: number,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) {
        const detail = err instanceof Error ? err.message : String(err);
        throw new Error(`${what}: not so after ${timeoutMs / 1000} s; last check: ${detail}`);
      }
    }
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

export interface StoryLog {
  /** Records one line with the seconds since the story began. */
  note(line: string): void;
  text(): string;
}

/** With E2E_STORY_LOG=1 the lines also go to stderr as they happen (watching a run by hand). */
export function createStoryLog(echo = process.env.E2E_STORY_LOG === '1'): StoryLog {
  const start = Date.now();
  const lines: string[] = [];
  return {
    note(line) {
      const stamped = `${((Date.now() - start) / 1000).toFixed(1).padStart(6)} s  ${line}`;
      lines.push(stamped);
      if (echo) process.stderr.write(`[e2e] ${stamped}\n`);
    },
    text: () => lines.join('\n'),
  };
}
