// POST, PUT, PATCH, DELETE and DELETE-collection of a resource or its status subresource. Each reads
// the body (size limit, content type), hands it to the resource's write path, and answers the stored
// (or, with dryRun=All, the would-be) object with Kubernetes' status codes.
import { badRequest } from '../../api/errors.js';
import { checkFieldSelector } from '../../api/fields.js';
import { patchTypeOf } from '../../api/patch/index.js';
import { apiVersionOf } from '../../api/resources.js';
import type { DeleteOptions, KubeObject } from '../../api/types.js';
import { decodeBody, readBody, unsupportedMediaType } from '../http/body.js';
import { optionalInt, parseListQuery, parseWriteQuery } from '../http/query.js';
import { addWarning, writeJson, writeJsonText } from '../http/respond.js';
import { apiBytesOf } from '../registry/codec.js';
import { checkDeleteOptions, deleteObject } from '../registry/deletion.js';
import type { Target, WriteResult } from '../registry/rest.js';
import type { RequestContext } from './context.js';
import { restOf } from './context.js';

export async function readRequestBody(ctx: RequestContext): Promise<unknown> {
  const bytes = await readBody(ctx.req, ctx.core.options.maxRequestBodyBytes);
  return decodeBody(bytes, ctx.req.headers['content-type']);
}

function respondWrite(ctx: RequestContext, result: WriteResult, code: number): void {
  for (const warning of result.warnings) addWarning(ctx.res, warning);
  writeJsonText(ctx.res, code, apiBytesOf(result.object));
}

export async function handleCreate(ctx: RequestContext): Promise<void> {
  const body = await readRequestBody(ctx);
  const result = await restOf(ctx).create(ctx.info.namespace, body, parseWriteQuery(ctx.query));
  respondWrite(ctx, result, 201);
}

export async function handleUpdate(ctx: RequestContext, target: Target = 'main'): Promise<void> {
  const body = await readRequestBody(ctx);
  const { namespace, name } = ctx.info;
  const result = await restOf(ctx).update(namespace, name, body, parseWriteQuery(ctx.query), target);
  respondWrite(ctx, result, result.created ? 201 : 200);
}

export async function handlePatch(ctx: RequestContext, target: Target = 'main'): Promise<void> {
  const type = patchTypeFromRequest(ctx);
  const body = await readRequestBody(ctx);
  const { namespace, name } = ctx.info;
  const result = await restOf(ctx).patch(namespace, name, type, body, parseWriteQuery(ctx.query), target);
  respondWrite(ctx, result, result.created ? 201 : 200);
}

export function patchTypeFromRequest(ctx: RequestContext) {
  const contentType = ctx.req.headers['content-type'] ?? '';
  const type = patchTypeOf(contentType);
  if (!type) throw unsupportedMediaType(contentType);
  return type;
}

/** DeleteOptions from the body (JSON or protobuf) merged with the query parameters. */
async function deleteOptionsOf(ctx: RequestContext): Promise<DeleteOptions> {
  const bytes = await readBody(ctx.req, ctx.core.options.maxRequestBodyBytes);
  let options: DeleteOptions = {};
  if (bytes.length > 0) {
    const decoded = decodeBody(bytes, ctx.req.headers['content-type']);
    if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
      throw badRequest('the body of a DELETE must be a DeleteOptions object');
    }
    options = decoded as DeleteOptions;
    if (options.kind !== undefined && options.kind !== 'DeleteOptions') {
      throw badRequest(`expected DeleteOptions in the request body, got ${String(options.kind)}`);
    }
  }
  const grace = optionalInt(ctx.query, 'gracePeriodSeconds', 0);
  if (grace !== undefined) options.gracePeriodSeconds = grace;
  const policy = ctx.query.get('propagationPolicy');
  if (policy) options.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  const orphan = ctx.query.get('orphanDependents');
  if (orphan) options.orphanDependents = orphan === 'true';
  checkDeleteOptions(options);
  return options;
}

function isDryRun(ctx: RequestContext, options: DeleteOptions): boolean {
  const write = parseWriteQuery(ctx.query);
  if (options.dryRun?.some((v) => v !== 'All'))
    throw badRequest('dryRun: Unsupported value: supported values: "All"');
  return write.dryRun || (options.dryRun?.length ?? 0) > 0;
}

export async function handleDelete(ctx: RequestContext): Promise<void> {
  const options = await deleteOptionsOf(ctx);
  const dryRun = isDryRun(ctx, options);
  const { namespace, name } = ctx.info;
  const outcome = await deleteObject(restOf(ctx), namespace, name, options, dryRun);
  writeJson(ctx.res, 200, outcome.object);
}

export async function handleDeleteCollection(ctx: RequestContext): Promise<void> {
  const options = await deleteOptionsOf(ctx);
  const dryRun = isDryRun(ctx, options);
  const { info, core } = ctx;
  const query = parseListQuery(ctx.query);
  checkFieldSelector(info.resource.name, query.fieldSelector);
  await core.watchCache.waitUntilFresh();
  const targets = core.watchCache.cache(info.resource.name).list({
    namespace: info.namespace,
    name: '',
    labelSelector: query.labelSelector,
    fieldSelector: query.fieldSelector,
  });
  const rest = restOf(ctx);
  const items: KubeObject[] = [];
  for (const target of targets) {
    try {
      const outcome = await deleteObject(rest, target.namespace, target.name, options, dryRun);
      items.push(outcome.object);
    } catch (e) {
      if (!(e instanceof Error && 'reason' in e && (e as { reason: string }).reason === 'NotFound')) throw e;
    }
  }
  const body = {
    kind: info.resource.listKind,
    apiVersion: apiVersionOf(info.resource),
    metadata: { resourceVersion: String(core.watchCache.revision) },
    items,
  };
  writeJsonText(ctx.res, 200, JSON.stringify(body));
}
