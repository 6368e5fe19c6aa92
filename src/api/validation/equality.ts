// Kubernetes' "semantic" equality of decoded objects, on JSON: an absent field equals its zero value
// ("", 0, false, empty list or map), as a Go struct cannot tell them apart.
import { formatValue, index, isObject } from './field.js';

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObject(v) && Object.keys(v).every((k) => isZero(v[k]));
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => semanticEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** The differing leaves of two values, as "- path: old" / "+ path: new" lines. */
export function diffLines(a: unknown, b: unknown, path: string): string[] {
  if (semanticEqual(a, b)) return [];
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, i) => diffLines(item, b[i], index(path, i)));
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffLines(a[k], b[k], `${path}.${k}`));
  }
  return [`- ${path}: ${formatValue(a)}`, `+ ${path}: ${formatValue(b)}`];
}
