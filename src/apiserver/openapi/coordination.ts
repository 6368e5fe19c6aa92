// Schemas of coordination.k8s.io/v1 (Lease, LeaseSpec, LeaseList), worded as k8s.io/api publishes them.
import { coordinationGroup } from '../../api/resources.js';
import { int32, listOf, metaV1, obj, ref, type Schema, str, typeMeta } from './schema.js';

export const coordinationV1 = 'io.k8s.api.coordination.v1.';
const c = (name: string) => `${coordinationV1}${name}`;
const microTime = (description: string): Schema => ref(`${metaV1}MicroTime`, description);

export const coordinationSchemas: Record<string, Schema> = {
  [c('Lease')]: obj(
    'Lease defines a lease concept.',
    {
      ...typeMeta(),
      spec: ref(
        c('LeaseSpec'),
        'spec contains the specification of the Lease. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
      ),
    },
    { gvk: [{ group: coordinationGroup, version: 'v1', kind: 'Lease' }] },
  ),
  [c('LeaseList')]: listOf('Lease', 'items is a list of schema objects.', {
    schemaPrefix: coordinationV1,
    group: coordinationGroup,
    version: 'v1',
  }),
  [c('LeaseSpec')]: obj('LeaseSpec is a specification of a Lease.', {
    acquireTime: microTime('acquireTime is a time when the current lease was acquired.'),
    holderIdentity: str(
      'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.',
    ),
    leaseDurationSeconds: int32(
      'leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it. This is measured against the time of last observed renewTime.',
    ),
    leaseTransitions: int32('leaseTransitions is the number of transitions of a lease between holders.'),
    preferredHolder: str(
      'PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up. This field can only be set if Strategy is also set.',
    ),
    renewTime: microTime(
      'renewTime is a time when the current holder of a lease has last updated the lease.',
    ),
    strategy: str(
      'Strategy indicates the strategy for picking the leader for coordinated leader election. If the field is not specified, there is no active coordination for this lease. (Alpha) Using this field requires the CoordinatedLeaderElection feature gate to be enabled.',
    ),
  }),
};
