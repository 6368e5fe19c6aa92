// The strategic-merge metadata of the core/v1 kinds kubelite serves: which lists merge (and by which
// key) instead of being replaced. It mirrors the `patchStrategy`/`patchMergeKey` tags of k8s.io/api;
// anything not listed here is a map that merges or a list that is replaced.

export interface FieldSchema {
  /** patchStrategy "merge": a list merged by `mergeKey` (lists of maps) or as a set (primitives). */
  readonly merge?: boolean;
  readonly mergeKey?: string;
  /** The fields of the map, or of each map in the list. */
  readonly fields?: Schema;
}

export type Schema = Readonly<Record<string, FieldSchema>>;

const byName = (fields?: Schema): FieldSchema => ({
  merge: true,
  mergeKey: 'name',
  ...(fields ? { fields } : {}),
});
const conditions: FieldSchema = { merge: true, mergeKey: 'type' };

const objectMeta: FieldSchema = {
  fields: {
    finalizers: { merge: true },
    ownerReferences: { merge: true, mergeKey: 'uid' },
  },
};

const container: Schema = {
  ports: { merge: true, mergeKey: 'containerPort' },
  env: byName(),
  volumeMounts: { merge: true, mergeKey: 'mountPath' },
  volumeDevices: { merge: true, mergeKey: 'devicePath' },
};

const podSpec: FieldSchema = {
  fields: {
    volumes: byName(),
    initContainers: byName(container),
    containers: byName(container),
    ephemeralContainers: byName(container),
    imagePullSecrets: byName(),
    hostAliases: { merge: true, mergeKey: 'ip' },
    topologySpreadConstraints: { merge: true, mergeKey: 'topologyKey' },
    schedulingGates: byName(),
    resourceClaims: byName(),
  },
};

const podStatus: FieldSchema = {
  fields: {
    conditions,
    podIPs: { merge: true, mergeKey: 'ip' },
    hostIPs: { merge: true, mergeKey: 'ip' },
    resourceClaimStatuses: byName(),
  },
};

export const schemasByKind: Readonly<Record<string, Schema>> = {
  Pod: { metadata: objectMeta, spec: podSpec, status: podStatus },
  ReplicationController: {
    metadata: objectMeta,
    spec: { fields: { template: { fields: { metadata: objectMeta, spec: podSpec } } } },
    status: { fields: { conditions } },
  },
  Service: {
    metadata: objectMeta,
    spec: { fields: { ports: { merge: true, mergeKey: 'port' } } },
    status: { fields: { conditions } },
  },
  Node: {
    metadata: objectMeta,
    spec: { fields: { podCIDRs: { merge: true } } },
    status: { fields: { conditions, addresses: { merge: true, mergeKey: 'type' } } },
  },
  Namespace: { metadata: objectMeta, status: { fields: { conditions } } },
  Endpoints: { metadata: objectMeta },
  Event: { metadata: objectMeta },
};

/** The schema of a kind; unknown kinds get ObjectMeta's rules only. */
export function schemaOf(kind: string): Schema {
  return schemasByKind[kind] ?? { metadata: objectMeta };
}
