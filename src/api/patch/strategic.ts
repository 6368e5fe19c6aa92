// Strategic merge patch, as kube-apiserver applies it (k8s.io/apimachinery/pkg/util/strategicpatch
// with MergeParallelList and IgnoreUnmatchedNulls): maps merge, lists marked "merge" in schema.ts
// merge by their key (or as sets of primitives), other lists are replaced, null deletes a key.
// Directives: `$patch: replace|delete` on maps, `{"$patch": "delete", <key>: v}` and
// `{"$patch": "replace"}` list items, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`
// and `$retainKeys`. Element order follows Kubernetes' rules: $setElementOrder first, then the order
// of the patch list, then that of the live list (so items new to a list without $setElementOrder
// come before the live ones, as in Kubernetes).
import { badRequest } from '../errors.js';
import { type FieldSchema, type Schema, schemaOf } from './schema.js';
import { clone, isMap, type JsonMap, own, patchApplyError, setKey } from './util.js';

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const setElementOrderPrefix = '$setElementOrder/';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList/';

type ElementKind = 'map' | 'scalar';

const show = (v: unknown) => JSON.stringify(v);

function noMergeKey(item: unknown, mergeKey: string): Error {
  return badRequest(`map: ${show(item)} does not contain declared merge key: ${mergeKey}`);
}

function has(obj: JsonMap, key: string): boolean {
  return Object.hasOwn(obj, key);
}

/** The kind shared by all items of the given lists (Kubernetes' sliceElementType). */
function elementKind(...lists: unknown[][]): ElementKind | undefined {
  let kind: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const current = Array.isArray(item)
        ? 'list'
        : isMap(item)
          ? 'map'
          : item === null
            ? 'null'
            : typeof item;
      if (kind === undefined) {
        if (current === 'list') throw patchApplyError('lists of lists are not supported');
        kind = current;
      } else if (kind !== current) {
        throw badRequest(`list element types are not identical: ${show(lists)}`);
      }
    }
  }
  if (kind === undefined) return undefined;
  return kind === 'map' ? 'map' : 'scalar';
}

/** The value an item is identified by: its merge key for maps, itself for primitives. */
function identity(item: unknown, mergeKey: string, kind: ElementKind): unknown {
  return kind === 'map' ? (isMap(item) ? item[mergeKey] : undefined) : item;
}

function indexOf(list: readonly unknown[], item: unknown, mergeKey: string, kind: ElementKind): number {
  const id = identity(item, mergeKey, kind);
  return list.findIndex((candidate) => identity(candidate, mergeKey, kind) === id);
}

/** Stable sort of `items` by their position in `order`; items absent from it go last. */
function sortByOrder(
  items: unknown[],
  order: readonly unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  if (kind === 'map') {
    for (const item of [...items, ...order]) {
      if (!isMap(item) || !has(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
  const position = (item: unknown) => {
    const i = indexOf(order, item, mergeKey, kind);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return items
    .map((item, i) => ({ item, i, at: position(item) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((entry) => entry.item);
}

/**
 * Interleaves server-only items (left) into the patch items (right): a server-only item goes before
 * a patch item only when both are in the live list and it came first there.
 */
function mergeSorted(
  left: unknown[],
  right: unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexOf(serverOrder, left[i], mergeKey, kind);
      const ri = indexOf(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function normalizeElementOrder(
  merged: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const patchItems: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const item of merged) {
    if (kind === 'map' && (!isMap(item) || !has(item, mergeKey))) throw noMergeKey(item, mergeKey);
    (indexOf(patchOrder, item, mergeKey, kind) >= 0 ? patchItems : serverOnly).push(item);
  }
  return mergeSorted(
    sortByOrder(serverOnly, serverOrder, mergeKey, kind),
    sortByOrder(patchItems, patchOrder, mergeKey, kind),
    serverOrder,
    mergeKey,
    kind,
  );
}

/** A patch value with nothing to merge into: directives applied against an empty original. */
function fromPatch(value: unknown, fs: FieldSchema | undefined): unknown {
  if (isMap(value)) return mergeMap({}, value, fs?.fields);
  if (!Array.isArray(value)) return value;
  if (fs?.merge) return mergeList([], value, fs, false);
  return value.map((item) => (isMap(item) ? mergeMap({}, item, fs?.fields) : item));
}

function mergeList(
  original: unknown[],
  patch: unknown[],
  fs: FieldSchema | undefined,
  isDeleteList: boolean,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch) ?? 'scalar';
  if (kind === 'scalar') {
    if (isDeleteList) return original.filter((item) => !patch.includes(item));
    const merged = [...new Set([...original, ...patch])];
    return normalizeElementOrder(merged, patch, original, '', kind);
  }
  const mergeKey = fs?.mergeKey;
  if (!mergeKey) throw badRequest('cannot merge lists without merge key');
  let live = original;
  let items: JsonMap[] = [];
  let replace = false;
  for (const item of patch as JsonMap[]) {
    if (!has(item, directiveMarker)) {
      items.push(item);
      continue;
    }
    const directive = item[directiveMarker];
    if (directive === 'delete') {
      if (!has(item, mergeKey)) throw noMergeKey(item, mergeKey);
      live = live.filter((entry) => !(isMap(entry) && entry[mergeKey] === item[mergeKey]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw badRequest('merging lists cannot yet be specified in the patch');
    } else {
      throw badRequest(`unknown patch type: ${String(directive)} in map: ${show(item)}`);
    }
  }
  if (replace) {
    live = items;
    items = [];
  }
  const merged = [...live];
  for (const item of items) {
    if (!has(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const at = merged.findIndex((entry) => isMap(entry) && entry[mergeKey] === item[mergeKey]);
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonMap, item, fs?.fields);
    else merged.push(mergeMap({}, item, fs?.fields));
  }
  return normalizeElementOrder(merged, items, live, mergeKey, kind);
}

/** $retainKeys: live fields not listed are dropped; the patch may only set listed fields. */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!has(patch, retainKeysDirective)) return;
  const retain = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(retain)) throw badRequest('invalid patch format of retainKeys');
  const keep = new Set(retain);
  for (const [key, value] of Object.entries(patch)) {
    if (
      value === null ||
      key.startsWith(deleteFromPrimitiveListPrefix) ||
      key.startsWith(setElementOrderPrefix)
    )
      continue;
    if (!keep.has(key)) throw badRequest('invalid patch format of retainKeys');
  }
  for (const key of Object.keys(original)) if (!keep.has(key)) delete original[key];
}

/** The patch items must appear in the $setElementOrder list, in the same relative order. */
function checkSetElementOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey
    ? patchList.filter((item) => !(isMap(item) && item[directiveMarker] === 'delete'))
    : patchList;
  const same = (a: unknown, b: unknown) => {
    if (!mergeKey) return a === b;
    if (!isMap(a) || !has(a, mergeKey)) throw noMergeKey(a, mergeKey);
    if (!isMap(b) || !has(b, mergeKey)) throw noMergeKey(b, mergeKey);
    return a[mergeKey] === b[mergeKey];
  };
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isMap(items[p]) && has(items[p] as JsonMap, directiveMarker)) {
      p++;
      continue;
    }
    if (same(items[p], order[o])) p++;
    o++;
  }
  if (p < items.length) {
    throw badRequest(
      `The order in patch list:\n${show(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${show(order)}\n`,
    );
  }
}

/** Merges each list named by a $setElementOrder directive and puts it in the requested order. */
function applySetElementOrder(original: JsonMap, patch: JsonMap, schema: Schema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badRequest('invalid patch format of setElementOrder list');
    const field = key.slice(setElementOrderPrefix.length);
    const fs = schema ? (own(schema, field) as FieldSchema | undefined) : undefined;
    const live = own(original, field);
    const patched = own(patch, field);
    if (live !== undefined && !Array.isArray(live))
      throw badRequest(`expected a list for ${field}, got ${show(live)}`);
    if (patched !== undefined && patched !== null && !Array.isArray(patched)) {
      throw badRequest('invalid patch format of setElementOrder list');
    }
    const mergeKey = fs?.mergeKey ?? '';
    checkSetElementOrder(patched ?? [], order, mergeKey);
    let merged: unknown[];
    if (Array.isArray(live) && Array.isArray(patched)) {
      merged = fs?.merge ? mergeList(live, patched, fs, false) : (fromPatch(patched, fs) as unknown[]);
    } else if (Array.isArray(patched)) {
      const withoutDirectives = patched.filter((item) => !(isMap(item) && has(item, directiveMarker)));
      merged = fromPatch(withoutDirectives, { ...fs, merge: false }) as unknown[];
    } else if (Array.isArray(live)) {
      merged = live;
    } else {
      continue;
    }
    const kind = elementKind(live ?? [], patched ?? [], merged) ?? 'scalar';
    setKey(
      original,
      field,
      normalizeElementOrder(merged, order, live ?? [], kind === 'map' ? mergeKey : '', kind),
    );
    delete patch[field];
  }
}

/** Merges `patch` into `original`, both owned by the caller (copies), and returns the result. */
function mergeMap(original: JsonMap, patch: JsonMap, schema: Schema | undefined): JsonMap {
  if (has(patch, directiveMarker)) {
    const directive = patch[directiveMarker];
    if (directive === 'replace') {
      delete patch[directiveMarker];
      return patch;
    }
    if (directive === 'delete') return {};
    throw badRequest(`unknown patch type: ${String(directive)} in map: ${show(patch)}`);
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema);
  for (const [patchKey, value] of Object.entries(patch)) {
    const isDeleteList = patchKey.startsWith(deleteFromPrimitiveListPrefix);
    const key = isDeleteList ? patchKey.slice(deleteFromPrimitiveListPrefix.length) : patchKey;
    const fs = schema ? (own(schema, key) as FieldSchema | undefined) : undefined;
    if (value === null) {
      delete original[key];
      continue;
    }
    if (!has(original, key)) {
      if (!isDeleteList) setKey(original, key, fromPatch(value, fs));
      continue;
    }
    const live = own(original, key);
    if (isMap(live) && isMap(value)) {
      setKey(original, key, mergeMap(live, value, fs?.fields));
    } else if (Array.isArray(live) && Array.isArray(value)) {
      setKey(
        original,
        key,
        fs?.merge || isDeleteList ? mergeList(live, value, fs, isDeleteList) : fromPatch(value, fs),
      );
    } else if (!isDeleteList) {
      setKey(original, key, fromPatch(value, fs));
    }
  }
  return original;
}

/** Returns the patched document; neither argument is modified. `kind` selects the schema. */
export function strategicMergePatch(kind: string, original: unknown, patch: unknown): unknown {
  if (!isMap(patch)) {
    const type = Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${type} into Go value of type map[string]interface {}`);
  }
  return mergeMap(isMap(original) ? clone(original) : {}, clone(patch), schemaOf(kind));
}
