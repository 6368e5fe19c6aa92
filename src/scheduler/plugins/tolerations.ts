// Taint toleration matching, as Kubernetes' Toleration.ToleratesTaint: an empty effect matches every
// effect, an empty key (with Exists) every key, Exists any value, Equal (the default) the same value.
import type { Taint, Toleration } from '../../api/types.js';

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

export function tolerates(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The first taint in `taints` no toleration covers. */
export function firstUntolerated(
  tolerations: readonly Toleration[] | undefined,
  taints: readonly Taint[],
): Taint | undefined {
  for (const taint of taints) if (!tolerates(tolerations, taint)) return taint;
  return undefined;
}
