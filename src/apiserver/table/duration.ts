// Kubernetes' HumanDuration (k8s.io/apimachinery/pkg/util/duration): ~2-3 significant figures, the
// format of every AGE column. Integer arithmetic throughout, truncating like Go's int conversions.

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

export function humanDuration(ms: number): string {
  // Up to two seconds into the future is clock skew between machines and counts as now.
  const seconds = Math.trunc(ms / second);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / minute);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / hour);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const years = Math.trunc(hours / 24 / 365);
    const days = Math.trunc(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** The age of an RFC 3339 timestamp at `nowMs`; absent or unparsable → "<unknown>" as kubectl prints. */
export function timestampSince(timestamp: string | null | undefined, nowMs: number): string {
  const at = timestampMs(timestamp);
  return at === undefined ? '<unknown>' : humanDuration(nowMs - at);
}

export function timestampMs(timestamp: string | null | undefined): number | undefined {
  if (!timestamp) return undefined;
  const at = Date.parse(timestamp);
  return Number.isNaN(at) ? undefined : at;
}
