// The kubelet's node Lease (coordination.k8s.io/v1, kube-node-lease/<node>): its heartbeat since
// Kubernetes' KEP-589. Renewing is one small PUT of spec.renewTime with the last resourceVersion;
// a Conflict or NotFound re-reads and, when the Lease is gone, creates it again. The Lease is owned by
// the Node (ownerReference), so deleting the Node lets the garbage collector remove it too.
import { nodeLeaseNamespace } from '../../api/resources.js';
import type { Lease, Node, OwnerReference } from '../../api/types.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/errors.js';
import type { ResourceClient } from '../../client/resource.js';
import type { KubeClient } from '../../client/rest.js';
import { rfc3339Micro } from '../../util/clock.js';

/** Kubernetes' kubelet default (nodeLeaseDurationSeconds). */
export const nodeLeaseDurationSeconds = 40;
/** Attempts of one renewal (Kubernetes' maxUpdateRetries). */
const maxAttempts = 5;

function ownerOf(node: Node | undefined): OwnerReference[] | undefined {
  const uid = node?.metadata.uid;
  if (!node || !uid) return undefined;
  return [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name!, uid }];
}

/** The Lease of `nodeName`, renewed at `nowMs` and owned by `node` when its uid is known. */
export function nodeLease(nodeName: string, nowMs: number, node: Node | undefined, base?: Lease): Lease {
  const owners = ownerOf(node) ?? base?.metadata.ownerReferences;
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...base?.metadata,
      name: nodeName,
      namespace: nodeLeaseNamespace,
      ...(owners ? { ownerReferences: owners } : {}),
    },
    spec: {
      ...base?.spec,
      holderIdentity: nodeName,
      leaseDurationSeconds: nodeLeaseDurationSeconds,
      renewTime: rfc3339Micro(nowMs),
    },
  };
}

export class NodeLease {
  private lease: Lease | undefined;
  private readonly leases: ResourceClient<Lease>;

  constructor(
    client: KubeClient,
    private readonly nodeName: string,
  ) {
    this.leases = client.resource<Lease>('leases');
  }

  /** The Lease as last written. */
  get current(): Lease | undefined {
    return this.lease;
  }

  /** Renews (or creates) the Lease at `nowMs`; `node` supplies the owner. Throws after maxAttempts. */
  async renew(nowMs: number, node: Node | undefined): Promise<Lease> {
    let failure: unknown;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      try {
        this.lease = this.lease
          ? await this.leases.update(nodeLeaseNamespace, nodeLease(this.nodeName, nowMs, node, this.lease))
          : await this.ensure(nowMs, node);
        return this.lease;
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err) && !isAlreadyExists(err)) throw err;
        failure = err;
        this.lease = undefined; // re-read (or create) on the next attempt
      }
    }
    throw failure;
  }

  /** Reads the Lease and renews it, or creates it when there is none. */
  private async ensure(nowMs: number, node: Node | undefined): Promise<Lease> {
    try {
      const existing = await this.leases.get(nodeLeaseNamespace, this.nodeName);
      return await this.leases.update(nodeLeaseNamespace, nodeLease(this.nodeName, nowMs, node, existing));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return this.leases.create(nodeLeaseNamespace, nodeLease(this.nodeName, nowMs, node));
    }
  }
}
