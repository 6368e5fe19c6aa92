// Kubernetes' Node authorizer and NodeRestriction admission, for kubelet identities (user
// `system:node:<name>` in group system:nodes): a kubelet may read what it needs (nodes, pods,
// services, endpoints), write events, and change only its own Node, the pods bound to it and its
// Lease (kube-node-lease/<node>, get/create/update/patch/delete, never list or watch). The
// authorizer decides what it can from the URL and the watch cache; the admission plugin checks the
// stored object itself (a pod's spec.nodeName, a created Node's name) just before the write.
import { forbidden } from '../../api/errors.js';
import { coordinationGroup, nodeLeaseNamespace } from '../../api/resources.js';
import type { Pod } from '../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.js';
import {
  type Attributes,
  type Authorizer,
  allow,
  type Decision,
  noOpinion,
  type ResourceAttributes,
} from './attributes.js';
import { nodeRules } from './rbac/bootstrap-policy.js';
import { rulesAllow } from './rbac/rules.js';
import { nodeNameOf, requestUser, type UserInfo } from './user.js';

/** The node a pod is bound to ("" unbound), or undefined when the pod is not known. */
export type PodNodeLookup = (namespace: string, name: string) => string | undefined;

const reads = new Set(['get', 'list', 'watch']);

export class NodeAuthorizer implements Authorizer {
  readonly name = 'Node';

  constructor(private readonly podNode: PodNodeLookup) {}

  authorize(user: UserInfo, a: Attributes): Decision {
    const node = nodeNameOf(user);
    if (node === undefined || !rulesAllow(nodeRules, a) || a.kind !== 'resource') return noOpinion;
    if (a.resource === 'leases' && a.apiGroup === coordinationGroup) return authorizeLease(node, a);
    if (reads.has(a.verb) || a.resource === 'events' || a.resource === 'selfsubjectaccessreviews')
      return allow;
    if (a.resource === 'nodes') {
      // create carries the name in the body: NodeRestriction checks it.
      if (a.verb === 'create' || a.name === node) return allow;
      return { allowed: false, reason: `node '${node}' cannot modify node '${a.name}'` };
    }
    if (a.resource === 'pods') {
      const boundTo = this.podNode(a.namespace, a.name);
      // Unknown to the cache: NodeRestriction decides on the stored pod (or the handler says 404).
      if (boundTo === undefined || boundTo === node) return allow;
      return { allowed: false, reason: `node '${node}' can only modify pods bound to it` };
    }
    return noOpinion;
  }
}

const leaseDenied = (reason: string): Decision => ({ allowed: false, reason });

/** Only its own Lease in kube-node-lease; create carries the name in the body (NodeRestriction checks it). */
function authorizeLease(node: string, a: ResourceAttributes): Decision {
  if (a.namespace !== nodeLeaseNamespace) {
    return leaseDenied(`can only access leases in the "${nodeLeaseNamespace}" system namespace`);
  }
  if (a.verb !== 'create' && a.name !== node) {
    return leaseDenied('can only access node lease with the same name as the requesting node');
  }
  return allow;
}

/** NodeRestriction: the checks that need the object being written. */
export const nodeRestriction: AdmissionPlugin = {
  name: 'NodeRestriction',
  validate(a: AdmissionAttributes): void {
    const user = requestUser();
    const node = user && nodeNameOf(user);
    if (node === undefined) return;
    if (a.resource.name === 'nodes' && a.resource.group === '') {
      const name = (a.object ?? a.oldObject)?.metadata.name ?? a.name;
      if (name !== node) throw forbidden(`node "${node}" is not allowed to modify node "${name}"`);
      return;
    }
    if (a.resource.name === 'leases' && a.resource.group === coordinationGroup) {
      const name = (a.object ?? a.oldObject)?.metadata.name ?? a.name;
      if (a.namespace !== nodeLeaseNamespace || name !== node) {
        throw forbidden(
          `node "${node}" can only access node lease with the same name as the requesting node`,
        );
      }
      return;
    }
    if (a.resource.name === 'pods' && a.resource.group === '') {
      if (a.operation === 'CREATE') {
        throw forbidden(`pod "${a.name}" is forbidden: node "${node}" can not create pods`);
      }
      const boundTo = (a.oldObject as unknown as Pod | undefined)?.spec?.nodeName ?? '';
      if (boundTo !== node) {
        const what = a.operation === 'DELETE' ? 'delete pods' : 'update pod status for pods';
        throw forbidden(`node "${node}" can only ${what} with spec.nodeName set to itself`);
      }
    }
  },
};
