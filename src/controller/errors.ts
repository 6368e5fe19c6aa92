// Error classifications the controllers share.
import { isApiError } from '../api/errors.js';

/** A create refused because the namespace is being deleted: nothing to retry (Kubernetes ignores these). */
export function isNamespaceTerminating(e: unknown): boolean {
  if (!isApiError(e, 'Forbidden')) return false;
  const causes = e.details?.causes ?? [];
  return causes.some((c) => c.reason === 'NamespaceTerminating') || /being terminated/.test(e.message);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
