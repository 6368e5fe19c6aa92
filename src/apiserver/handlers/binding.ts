// pods/{name}/binding: how a scheduler assigns a pod to a node. Sets spec.nodeName and the
// PodScheduled=True condition in one compare-and-swap; a pod already bound (or being deleted) is a
// 409, so two schedulers can never both win.
import { badRequest, conflict, successStatus } from '../../api/errors.js';
import type { Binding, KubeObject, Pod, PodCondition } from '../../api/types.js';
import { rfc3339 } from '../../util/clock.js';
import { parseWriteQuery } from '../http/query.js';
import { writeJson } from '../http/respond.js';
import { admit } from '../registry/admission.js';
import type { RequestContext } from './context.js';
import { restOf } from './context.js';
import { readRequestBody } from './write.js';

export async function handleBinding(ctx: RequestContext): Promise<void> {
  const body = (await readRequestBody(ctx)) as Binding;
  const { namespace, name } = ctx.info;
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the body is not a Binding');
  if (body.kind !== undefined && body.kind !== 'Binding') {
    throw badRequest(`${String(body.kind)} in version "v1" cannot be handled as a Binding`);
  }
  const bindingName = body.metadata?.name;
  if (bindingName && bindingName !== name) {
    throw badRequest(`the name of the object (${bindingName}) does not match the name on the URL (${name})`);
  }
  const node = body.target?.name;
  if (!node) throw badRequest('Binding target.name is required');
  if (body.target.kind && body.target.kind !== 'Node') {
    throw badRequest(`Binding target.kind must be Node, got ${body.target.kind}`);
  }
  const dryRun = parseWriteQuery(ctx.query).dryRun;
  const rest = restOf(ctx);
  await rest.store.guaranteedUpdate(
    namespace,
    name,
    async (current) => {
      const pod = current as unknown as Pod;
      const why = (text: string) => conflict('pods/binding', name, text);
      if (pod.metadata.deletionTimestamp)
        throw why(`pod ${name} is being deleted, cannot be assigned to a host`);
      if (pod.spec.nodeName) throw why(`pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      const expectedUid = body.metadata?.uid;
      if (expectedUid && expectedUid !== pod.metadata.uid) throw why(`pod ${name} has a different UID`);
      pod.spec.nodeName = node;
      for (const [k, v] of Object.entries(body.metadata?.annotations ?? {})) {
        pod.metadata.annotations = { ...pod.metadata.annotations, [k]: v };
      }
      pod.status = pod.status ?? {};
      const scheduled: PodCondition = {
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: rfc3339(ctx.core.clock.now()),
      };
      const others = (pod.status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      pod.status.conditions = [...others, scheduled];
      await admit(rest.deps.admission, rest.attributes('UPDATE', current, undefined, dryRun));
      return pod as unknown as KubeObject;
    },
    dryRun,
  );
  writeJson(ctx.res, 201, successStatus(undefined, 201));
}
