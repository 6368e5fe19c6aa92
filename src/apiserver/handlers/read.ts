// GET of one object and of lists, with Kubernetes' resourceVersion semantics: unset = a consistent
// read, "0" = whatever the cache holds, X = at least as new as X (resourceVersionMatch=Exact: at X,
// from storage). Lists come from the watch cache, already serialized; Tables are built on demand.

import { ApiError, expired, notFound } from '../../api/errors.js';
import { checkFieldSelector } from '../../api/fields.js';
import { apiVersionOf, storageKey, storagePrefix } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { parseListQuery, parseResourceVersion } from '../http/query.js';
import { writeJson, writeJsonText } from '../http/respond.js';
import { decodeWithBytes } from '../registry/codec.js';
import { isStorageError, type KeyValue } from '../storage/types.js';
import { toTable } from '../table.js';
import { CachedObject } from '../watchcache/cached-object.js';
import { matchesFilter, type ObjectFilter } from '../watchcache/filter.js';
import type { RequestContext } from './context.js';

export async function handleGet(ctx: RequestContext): Promise<void> {
  const { info, core } = ctx;
  const rv = ctx.query.get('resourceVersion') || undefined;
  let object: CachedObject | undefined;
  const key = storageKey(info.resource, info.namespace, info.name);
  if (rv === undefined) {
    // A consistent read from storage; the cache's copy, already encoded, when it is that revision.
    const kv = await core.storage.get(key);
    if (kv) {
      const cached = core.watchCache.cache(info.resource.name).objects.get(key);
      object = cached?.revision === kv.modRevision ? cached : fromStorage(info.resource.name, kv);
    }
  } else {
    const wanted = parseResourceVersion(rv);
    if (wanted > 0) await core.watchCache.waitForRevision(wanted);
    object = core.watchCache.cache(info.resource.name).objects.get(key);
  }
  if (!object) throw notFound(info.resource.name, info.name);
  respondObjects(ctx, [object], object.revision, false);
}

export async function handleList(ctx: RequestContext): Promise<void> {
  const { info, core } = ctx;
  const query = parseListQuery(ctx.query);
  checkFieldSelector(info.resource.name, query.fieldSelector);
  const filter: ObjectFilter = {
    namespace: info.namespace,
    name: '',
    labelSelector: query.labelSelector,
    fieldSelector: query.fieldSelector,
  };
  if (query.resourceVersionMatch === 'Exact') {
    const { objects, revision } = await listFromStorage(
      ctx,
      filter,
      parseResourceVersion(query.resourceVersion!),
    );
    respondObjects(ctx, objects, revision, true);
    return;
  }
  const cache = core.watchCache;
  if (query.resourceVersion === undefined) {
    try {
      await cache.waitUntilFresh();
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'Timeout')) throw e;
      // The cache cannot prove it is current (the store advanced without telling the watch): read the store.
      core.logger.warn({ resource: info.resource.name }, 'watch cache not fresh; listing from storage');
      const { objects, revision } = await listFromStorage(ctx, filter, undefined);
      respondObjects(ctx, objects, revision, true);
      return;
    }
  } else {
    const wanted = parseResourceVersion(query.resourceVersion);
    if (wanted > 0) await cache.waitForRevision(wanted);
  }
  const revision = cache.revision;
  respondObjects(ctx, cache.cache(info.resource.name).list(filter), revision, true);
}

async function listFromStorage(
  ctx: RequestContext,
  filter: ObjectFilter,
  revision: number | undefined,
): Promise<{ objects: CachedObject[]; revision: number }> {
  const resource = ctx.info.resource;
  try {
    const result = await ctx.core.storage.list(
      storagePrefix(resource, filter.namespace),
      revision ? { revision } : {},
    );
    const objects: CachedObject[] = [];
    for (const kv of result.items) {
      const object = fromStorage(resource.name, kv);
      if (matchesFilter(filter, object)) objects.push(object);
    }
    return { objects, revision: result.revision };
  } catch (e) {
    if (isStorageError(e, 'Expired')) throw expired(`too old resource version: ${revision}`);
    throw e;
  }
}

/** Writes objects as an object, a List, a Table or PartialObjectMetadata(List), as the client asked. */
function respondObjects(
  ctx: RequestContext,
  objects: CachedObject[],
  revision: number,
  asList: boolean,
): void {
  const { info, accept, res } = ctx;
  const resource = info.resource;
  if (accept.table) {
    const table = toTable(
      resource.name,
      objects.map((o) => o.object),
      {
        nowMs: ctx.core.clock.now(),
        includeObject: accept.tableIncludeObject,
        resourceVersion: String(revision),
      },
    );
    writeJson(res, 200, table);
    return;
  }
  if (accept.partialMetadata) {
    const items = objects.map((o) => partialMetadata(o.object));
    if (!asList) writeJson(res, 200, items[0]);
    else {
      writeJson(res, 200, {
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { resourceVersion: String(revision) },
        items,
      });
    }
    return;
  }
  if (!asList) {
    writeJsonText(res, 200, objects[0]!.bytes);
    return;
  }
  const head = `{"kind":"${resource.listKind}","apiVersion":"${apiVersionOf(resource)}","metadata":{"resourceVersion":"${revision}"},"items":[`;
  writeJsonText(res, 200, joinJson(head, objects, ']}'));
}

function fromStorage(resource: string, kv: KeyValue): CachedObject {
  const { object, bytes } = decodeWithBytes(kv.value, kv.modRevision);
  return new CachedObject(resource, kv.key, object, bytes, kv.modRevision);
}

/** `head` + the objects' JSON, comma-separated, + `tail`, copied into one buffer (no big string). */
function joinJson(head: string, objects: readonly CachedObject[], tail: string): Buffer {
  let length = head.length + tail.length + Math.max(0, objects.length - 1);
  for (const o of objects) length += o.bytes.length;
  const out = Buffer.allocUnsafe(length);
  let at = out.write(head, 0, 'latin1');
  for (let i = 0; i < objects.length; i++) {
    if (i > 0) out[at++] = 0x2c; // ','
    at += objects[i]!.bytes.copy(out, at);
  }
  out.write(tail, at, 'latin1');
  return out;
}

export function partialMetadata(object: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}
