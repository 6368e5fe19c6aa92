// replicationcontrollers/{name}/scale: the autoscaling/v1 Scale view of an RC. kubectl scale GETs
// the RC and PATCHes the Scale (merge patch); PUT may come without a Content-Type.
import { badRequest, invalid } from '../../api/errors.js';
import { formatLabelSet } from '../../api/labels.js';
import { applyPatch } from '../../api/patch/index.js';
import type { KubeObject, ReplicationController, Scale } from '../../api/types.js';
import { parseWriteQuery } from '../http/query.js';
import { writeJson } from '../http/respond.js';
import { cloneObject } from '../registry/codec.js';
import { checkUidPrecondition } from '../registry/object-store.js';
import type { RequestContext } from './context.js';
import { restOf } from './context.js';
import { patchTypeFromRequest, readRequestBody } from './write.js';

export function scaleOf(obj: KubeObject): Scale {
  const rc = obj as unknown as ReplicationController;
  const meta = rc.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: rc.spec?.replicas ?? 0 },
    status: { replicas: rc.status?.replicas ?? 0, selector: formatLabelSet(rc.spec?.selector) },
  };
}

export async function handleGetScale(ctx: RequestContext): Promise<void> {
  const obj = await restOf(ctx).store.mustGet(ctx.info.namespace, ctx.info.name);
  writeJson(ctx.res, 200, scaleOf(obj));
}

export async function handleUpdateScale(ctx: RequestContext): Promise<void> {
  const body = await readRequestBody(ctx);
  await updateScale(ctx, () => checkScale(body, ctx.info.name));
}

export async function handlePatchScale(ctx: RequestContext): Promise<void> {
  const type = patchTypeFromRequest(ctx);
  const body = await readRequestBody(ctx);
  await updateScale(ctx, (current) =>
    checkScale(applyPatch(type, 'Scale', scaleOf(current), body), ctx.info.name),
  );
}

async function updateScale(ctx: RequestContext, desired: (current: KubeObject) => Scale): Promise<void> {
  const { namespace, name } = ctx.info;
  const result = await restOf(ctx).updateWith(
    namespace,
    name,
    (current) => {
      const scale = desired(current);
      checkUidPrecondition('replicationcontrollers/scale', current, scale.metadata.uid);
      const next = cloneObject(current) as unknown as ReplicationController;
      next.spec.replicas = scale.spec.replicas;
      next.metadata.resourceVersion = scale.metadata.resourceVersion || current.metadata.resourceVersion;
      return next as unknown as KubeObject;
    },
    parseWriteQuery(ctx.query),
    'main',
  );
  writeJson(ctx.res, 200, scaleOf(result.object));
}

function checkScale(body: unknown, name: string): Scale {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the body is not a Scale object');
  const scale = body as Scale;
  if (scale.kind !== undefined && scale.kind !== 'Scale') {
    throw badRequest(`${String(scale.kind)} in version "v1" cannot be handled as a Scale`);
  }
  scale.metadata ??= {};
  if (scale.metadata.name && scale.metadata.name !== name) {
    throw badRequest(
      `the name of the object (${scale.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  const replicas = scale.spec?.replicas;
  if (replicas === undefined || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid('Scale.autoscaling', name, [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
        field: 'spec.replicas',
      },
    ]);
  }
  return scale;
}
