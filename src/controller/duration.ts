// Go-style durations for the command line, as kube-controller-manager takes them: "40s", "5m",
// "1m30s", "500ms", "1.5h". A bare number is milliseconds.
const units: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds; throws a readable error for anything else. */
export function parseDurationMs(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < trimmed.length) {
    part.lastIndex = at;
    const m = part.exec(trimmed);
    if (!m) break;
    total += Number(m[1]) * units[m[2]!]!;
    at = part.lastIndex;
  }
  if (trimmed.length === 0 || at !== trimmed.length) {
    throw new Error(`invalid duration "${text}": expected e.g. 40s, 5m, 1m30s, 500ms`);
  }
  return total;
}
