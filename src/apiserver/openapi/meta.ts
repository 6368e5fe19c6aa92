// meta/v1, intstr and resource.Quantity schemas: the vocabulary every core/v1 kind is built from.
import { docs } from './docs.js';
import {
  arr,
  bool,
  coreGvk,
  int32,
  int64,
  mergedList,
  metaV1,
  obj,
  ref,
  type Schema,
  str,
  strList,
  strMap,
  time,
  typeMeta,
} from './schema.js';

const header = typeMeta();

export const metaSchemas: Record<string, Schema> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    description:
      'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the "" case in <decimalSI>.)\n\n<binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n<decimalSI>       ::= m | "" | k | M | G | T | P | E\n\n<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber> ```',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    description:
      'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    type: 'string',
    format: 'int-or-string',
  },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': {
    description: 'RawExtension is used to hold extensions in external versions.',
    type: 'object',
  },
  [`${metaV1}Time`]: {
    description:
      'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.',
    type: 'string',
    format: 'date-time',
  },
  [`${metaV1}MicroTime`]: {
    description: 'MicroTime is version of Time with microsecond level precision.',
    type: 'string',
    format: 'date-time',
  },
  [`${metaV1}FieldsV1`]: {
    description:
      "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item.",
    type: 'object',
  },
  [`${metaV1}ObjectMeta`]: obj(
    'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
    {
      annotations: strMap(
        'Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations',
      ),
      creationTimestamp: time(docs['ObjectMeta.creationTimestamp']),
      deletionGracePeriodSeconds: int64(
        'Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. May only be shortened. Read-only.',
      ),
      deletionTimestamp: time(
        'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. This field is set by the server when a graceful deletion is requested by the user, and is not directly settable by a client.\n\nPopulated by the system when a graceful deletion is requested. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
      ),
      finalizers: arr(
        str(),
        'Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list.',
        { listType: 'set', strategy: 'merge' },
      ),
      generateName: str(
        'GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided. If this field is used, the name returned to the client will be different than the name passed. This value will also be combined with a unique suffix. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#idempotency',
      ),
      generation: int64(
        'A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.',
      ),
      labels: strMap(
        'Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels',
      ),
      managedFields: arr(
        ref(`${metaV1}ManagedFieldsEntry`),
        "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically shouldn't need to set or understand this field.",
        { listType: 'atomic' },
      ),
      name: str(docs['ObjectMeta.name']),
      namespace: str(
        'Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the "default" namespace, but "default" is the canonical representation. Not all objects are required to be scoped to a namespace - the value of this field for those objects will be empty.\n\nMust be a DNS_LABEL. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces',
      ),
      ownerReferences: mergedList(
        `${metaV1}OwnerReference`,
        'uid',
        'List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected. If this object is managed by a controller, then an entry in this list will point to this controller, with the controller field set to true. There cannot be more than one managing controller.',
      ),
      resourceVersion: str(
        'An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. May be used for optimistic concurrency, change detection, and the watch operation on a resource or set of resources. Clients must treat these values as opaque and passed unmodified back to the server. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency',
      ),
      selfLink: str(
        'Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.',
      ),
      uid: str(
        'UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations.\n\nPopulated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids',
      ),
    },
  ),
  [`${metaV1}OwnerReference`]: obj(
    'OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.',
    {
      apiVersion: str('API version of the referent.'),
      blockOwnerDeletion: bool(
        'If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.',
      ),
      controller: bool('If true, this reference points to the managing controller.'),
      kind: str('Kind of the referent.'),
      name: str('Name of the referent.'),
      uid: str('UID of the referent.'),
    },
    { required: ['apiVersion', 'kind', 'name', 'uid'], extra: { 'x-kubernetes-map-type': 'atomic' } },
  ),
  [`${metaV1}ManagedFieldsEntry`]: obj(
    'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.',
    {
      apiVersion: str('APIVersion defines the version of this resource that this field set applies to.'),
      fieldsType: str('FieldsType is the discriminator for the different fields format and version.'),
      fieldsV1: ref(
        `${metaV1}FieldsV1`,
        'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.',
      ),
      manager: str('Manager is an identifier of the workflow managing these fields.'),
      operation: str(
        'Operation is the type of operation which lead to this ManagedFieldsEntry being created.',
      ),
      subresource: str('Subresource is the name of the subresource used to update that object.'),
      time: time('Time is the timestamp of when the ManagedFields entry was added.'),
    },
  ),
  [`${metaV1}ListMeta`]: obj(
    'ListMeta describes metadata that synthetic resources must have, including lists and various status objects.',
    {
      continue: str('continue may be set if the user set a limit on the number of items returned.'),
      remainingItemCount: int64(
        'remainingItemCount is the number of subsequent items in the list which are not included in this list response.',
      ),
      resourceVersion: str(
        "String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed. Value must be treated as opaque by clients and passed unmodified back to the server. Populated by the system. Read-only.",
      ),
      selfLink: str(
        'Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.',
      ),
    },
  ),
  [`${metaV1}Condition`]: obj(
    'Condition contains details for one aspect of the current state of this API Resource.',
    {
      lastTransitionTime: time(
        'lastTransitionTime is the last time the condition transitioned from one status to another.',
      ),
      message: str('message is a human readable message indicating details about the transition.'),
      observedGeneration: int64(
        'observedGeneration represents the .metadata.generation that the condition was set based upon.',
      ),
      reason: str(
        "reason contains a programmatic identifier indicating the reason for the condition's last transition.",
      ),
      status: str('status of the condition, one of True, False, Unknown.'),
      type: str('type of condition in CamelCase or in foo.example.com/CamelCase.'),
    },
    { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
  ),
  [`${metaV1}LabelSelector`]: obj(
    'A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects.',
    {
      matchExpressions: arr(
        ref(`${metaV1}LabelSelectorRequirement`),
        'matchExpressions is a list of label selector requirements. The requirements are ANDed.',
        {
          listType: 'atomic',
        },
      ),
      matchLabels: strMap(
        'matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed.',
      ),
    },
    { extra: { 'x-kubernetes-map-type': 'atomic' } },
  ),
  [`${metaV1}LabelSelectorRequirement`]: obj(
    'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
    {
      key: str('key is the label key that the selector applies to.'),
      operator: str(
        "operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist.",
      ),
      values: strList(
        'values is an array of string values. If the operator is In or NotIn, the values array must be non-empty.',
      ),
    },
    { required: ['key', 'operator'] },
  ),
  [`${metaV1}Preconditions`]: obj(
    'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.',
    {
      resourceVersion: str('Specifies the target ResourceVersion'),
      uid: str('Specifies the target UID.'),
    },
  ),
  [`${metaV1}DeleteOptions`]: obj(
    'DeleteOptions may be provided when deleting an API object.',
    {
      apiVersion: header.apiVersion!,
      dryRun: strList(
        'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed',
      ),
      gracePeriodSeconds: int64(
        'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.',
      ),
      kind: header.kind!,
      orphanDependents: bool(
        'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.',
      ),
      preconditions: ref(
        `${metaV1}Preconditions`,
        'Must be fulfilled before a deletion is carried out. If not possible, a 409 Conflict status will be returned.',
      ),
      propagationPolicy: str(
        "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.",
      ),
    },
    { gvk: [...coreGvk('DeleteOptions'), { group: 'meta.k8s.io', version: 'v1', kind: 'DeleteOptions' }] },
  ),
  [`${metaV1}StatusCause`]: obj(
    'StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.',
    {
      field: str('The field of the resource that has caused this error, as named by its JSON serialization.'),
      message: str(
        'A human-readable description of the cause of the error.  This field may be presented as-is to a reader.',
      ),
      reason: str(
        'A machine-readable description of the cause of the error. If this value is empty there is no information available.',
      ),
    },
  ),
  [`${metaV1}StatusDetails`]: obj(
    'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.',
    {
      causes: arr(
        ref(`${metaV1}StatusCause`),
        'The Causes array includes more details associated with the StatusReason failure.',
        {
          listType: 'atomic',
        },
      ),
      group: str('The group attribute of the resource associated with the status StatusReason.'),
      kind: str('The kind attribute of the resource associated with the status StatusReason.'),
      name: str(
        'The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).',
      ),
      retryAfterSeconds: int32('If specified, the time in seconds before the operation should be retried.'),
      uid: str('UID of the resource.'),
    },
  ),
  [`${metaV1}Status`]: obj(
    "Status is a return value for calls that don't return other objects.",
    {
      apiVersion: header.apiVersion!,
      code: int32('Suggested HTTP return code for this status, 0 if not set.'),
      details: ref(`${metaV1}StatusDetails`, 'Extended data associated with the reason.'),
      kind: header.kind!,
      message: str('A human-readable description of the status of this operation.'),
      metadata: ref(`${metaV1}ListMeta`, 'Standard list metadata.'),
      reason: str('A machine-readable description of why this operation is in the "Failure" status.'),
      status: str('Status of the operation. One of: "Success" or "Failure".'),
    },
    { gvk: coreGvk('Status') },
  ),
  [`${metaV1}Patch`]: {
    description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
    type: 'object',
  },
  [`${metaV1}WatchEvent`]: obj(
    'Event represents a single event to a watched resource.',
    {
      object: ref(
        'io.k8s.apimachinery.pkg.runtime.RawExtension',
        'Object is:\n * If Type is Added or Modified: the new state of the object.\n * If Type is Deleted: the state of the object immediately before deletion.\n * If Type is Error: *Status is recommended; other types may make sense\n   depending on context.',
      ),
      type: str(),
    },
    { required: ['type', 'object'], gvk: coreGvk('WatchEvent') },
  ),
};
