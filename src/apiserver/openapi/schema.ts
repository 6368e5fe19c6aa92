// A small vocabulary for writing OpenAPI 3.0 schemas the way Kubernetes publishes them: references as
// `allOf: [{$ref}]` (so a property can carry its own description), list extensions that drive strategic
// merge patch (`x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`, list types), and
// `x-kubernetes-group-version-kind` on top-level kinds, which `kubectl explain` looks kinds up by.

export type Schema = { [key: string]: unknown };

export const coreV1 = 'io.k8s.api.core.v1.';
export const metaV1 = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

const described = (description: string | undefined): Schema => (description ? { description } : {});

export const str = (description?: string, extra: Schema = {}): Schema => ({
  ...described(description),
  type: 'string',
  ...extra,
});
export const int32 = (description?: string): Schema => ({
  ...described(description),
  type: 'integer',
  format: 'int32',
});
export const int64 = (description?: string): Schema => ({
  ...described(description),
  type: 'integer',
  format: 'int64',
});
export const bool = (description?: string): Schema => ({ ...described(description), type: 'boolean' });
export const time = (description?: string): Schema => ref(`${metaV1}Time`, description);

export function ref(name: string, description?: string): Schema {
  return { allOf: [{ $ref: `#/components/schemas/${name}` }], ...described(description) };
}

export interface ListOptions {
  /** Strategic merge patch: merge list items by this field (containers by name, ports by containerPort…). */
  mergeKey?: string;
  /** `merge`, `retainKeys` or `merge,retainKeys`. */
  strategy?: string;
  listType?: 'atomic' | 'map' | 'set';
  /** For listType map: the keys that identify an item. */
  mapKeys?: string[];
}

export function arr(items: Schema, description?: string, opts: ListOptions = {}): Schema {
  return {
    ...described(description),
    type: 'array',
    items,
    ...(opts.listType ? { 'x-kubernetes-list-type': opts.listType } : {}),
    ...(opts.mapKeys ? { 'x-kubernetes-list-map-keys': opts.mapKeys } : {}),
    ...(opts.mergeKey ? { 'x-kubernetes-patch-merge-key': opts.mergeKey } : {}),
    ...(opts.strategy ? { 'x-kubernetes-patch-strategy': opts.strategy } : {}),
  };
}

/** A list of objects merged by `key` on strategic merge patch, as most Kubernetes lists of structs are. */
export const mergedList = (itemRef: string, key: string, description?: string, mapKeys = [key]): Schema =>
  arr(ref(itemRef), description, { mergeKey: key, strategy: 'merge', listType: 'map', mapKeys });

export const strList = (description?: string): Schema => arr(str(), description, { listType: 'atomic' });
export const atomicList = (itemRef: string, description?: string): Schema =>
  arr(ref(itemRef), description, { listType: 'atomic' });

export const strMap = (description?: string): Schema => ({
  ...described(description),
  type: 'object',
  additionalProperties: { type: 'string', default: '' },
});

export const quantityMap = (description?: string): Schema => ({
  ...described(description),
  type: 'object',
  additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
});

export interface ObjectOptions {
  required?: string[];
  /** The kinds this schema is the body of; `kubectl explain` finds a kind's schema by this. */
  gvk?: Array<{ group: string; version: string; kind: string }>;
  extra?: Schema;
}

export function obj(
  description: string,
  properties: Record<string, Schema>,
  opts: ObjectOptions = {},
): Schema {
  return {
    description,
    type: 'object',
    properties,
    ...(opts.required ? { required: opts.required } : {}),
    ...(opts.gvk ? { 'x-kubernetes-group-version-kind': opts.gvk } : {}),
    ...opts.extra,
  };
}

export const coreGvk = (kind: string) => [{ group: '', version: 'v1', kind }];

/** The apiVersion/kind/metadata header every top-level kind starts with. */
export function typeMeta(
  metadataDescription = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
): Record<string, Schema> {
  return {
    apiVersion: str(
      'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
    ),
    kind: str(
      'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
    ),
    metadata: ref(`${metaV1}ObjectMeta`, metadataDescription),
  };
}

/** `<Kind>List`: apiVersion, kind, items, metadata (ListMeta); core v1 unless another group is given. */
export function listOf(
  kind: string,
  itemsDescription: string,
  at: { schemaPrefix: string; group: string; version: string } = {
    schemaPrefix: coreV1,
    group: '',
    version: 'v1',
  },
): Schema {
  const header = typeMeta();
  return obj(
    `${kind}List is a list of ${kind} objects.`,
    {
      apiVersion: header.apiVersion!,
      items: arr(ref(`${at.schemaPrefix}${kind}`), itemsDescription),
      kind: header.kind!,
      metadata: ref(
        `${metaV1}ListMeta`,
        'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
      ),
    },
    { required: ['items'], gvk: [{ group: at.group, version: at.version, kind: `${kind}List` }] },
  );
}
