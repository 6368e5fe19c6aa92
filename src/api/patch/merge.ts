// JSON merge patch (RFC 7386): objects merge key by key, null deletes, anything else replaces.
import { clone, isMap, type JsonMap, own, setKey } from './util.js';

/** Returns the patched document; `original` is not modified. */
export function jsonMergePatch(original: unknown, patch: unknown): unknown {
  return mergeInto(clone(original), patch);
}

/** Merges into `target`, which the caller owns (a copy), so no further copying is needed. */
function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return clone(patch);
  const result: JsonMap = isMap(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setKey(result, key, mergeInto(own(result, key), value));
  }
  return result;
}
