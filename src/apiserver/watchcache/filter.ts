// Which objects a list or watch wants: namespace, exact name, label and field selectors. Evaluated
// against CachedObject so the selectable fields are computed once per object, not per watcher.
import type { FieldSelector } from '../../api/fields.js';
import type { LabelSelector } from '../../api/labels.js';
import type { CachedObject } from './cached-object.js';

export interface ObjectFilter {
  /** '' = every namespace. */
  readonly namespace: string;
  /** '' = every name (a watch on a named URL sets it). */
  readonly name: string;
  readonly labelSelector: LabelSelector;
  readonly fieldSelector: FieldSelector;
}

export function matchesFilter(filter: ObjectFilter, object: CachedObject): boolean {
  if (filter.namespace !== '' && object.namespace !== filter.namespace) return false;
  if (filter.name !== '' && object.name !== filter.name) return false;
  if (!filter.labelSelector.isEmpty() && !filter.labelSelector.matches(object.labels)) return false;
  if (!filter.fieldSelector.isEmpty() && !filter.fieldSelector.matches(object.fields)) return false;
  return true;
}
