// The operations of /api/v1 (and of other group versions: /apis/rbac.authorization.k8s.io/v1,
// /apis/coordination.k8s.io/v1), generated from the resource table. What matters to kubectl: every PATCH
// (and POST/PUT) carries `x-kubernetes-group-version-kind` and a `fieldValidation` query parameter —
// with those, `kubectl create -f` and `apply -f` leave validation to the server and send
// `fieldValidation=Strict`; without them they fall back to /openapi/v2, which we do not serve.
import { apiVersionOf, coreResources, type ResourceInfo } from '../../api/resources.js';
import { coreV1, metaV1, type Schema } from './schema.js';

type Gvk = { group: string; version: string; kind: string };

const stringParam = { type: 'string', uniqueItems: true };
const query = (name: string, description: string, schema: Schema = stringParam): Schema => ({
  name,
  in: 'query',
  description,
  schema,
});
const intQuery = (name: string, description: string) =>
  query(name, description, { type: 'integer', uniqueItems: true });
const boolQuery = (name: string, description: string) =>
  query(name, description, { type: 'boolean', uniqueItems: true });
const pathParam = (name: string, description: string): Schema => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: stringParam,
});

const pretty = query('pretty', "If 'true', then the output is pretty printed.");
const dryRun = query(
  'dryRun',
  'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed',
);
const fieldManager = query(
  'fieldManager',
  'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.',
);
const fieldValidation = query(
  'fieldValidation',
  'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.',
);
const force = boolQuery(
  'force',
  'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
);
const writeParams = [dryRun, fieldManager, fieldValidation];

const listParams = [
  boolQuery(
    'allowWatchBookmarks',
    'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag.',
  ),
  query('continue', 'The continue option should be set when retrieving more results from the server.'),
  query(
    'fieldSelector',
    'A selector to restrict the list of returned objects by their fields. Defaults to everything.',
  ),
  query(
    'labelSelector',
    'A selector to restrict the list of returned objects by their labels. Defaults to everything.',
  ),
  intQuery('limit', 'limit is a maximum number of responses to return for a list call.'),
  query(
    'resourceVersion',
    'resourceVersion sets a constraint on what resource versions a request may be served from.',
  ),
  query(
    'resourceVersionMatch',
    'resourceVersionMatch determines how resourceVersion is applied to list calls.',
  ),
  boolQuery('sendInitialEvents', '`sendInitialEvents=true` may be set together with `watch=true`.'),
  intQuery(
    'timeoutSeconds',
    'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.',
  ),
  boolQuery(
    'watch',
    'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.',
  ),
];

const deleteParams = [
  dryRun,
  intQuery(
    'gracePeriodSeconds',
    'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately.',
  ),
  boolQuery(
    'ignoreStoreReadErrorWithClusterBreakingPotential',
    'if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.',
  ),
  boolQuery(
    'orphanDependents',
    'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.',
  ),
  query(
    'propagationPolicy',
    "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'.",
  ),
];

const logParams = [
  query(
    'container',
    'The container for which to stream logs. Defaults to only container if there is one container in the pod.',
  ),
  boolQuery('follow', 'Follow the log stream of the pod. Defaults to false.'),
  boolQuery(
    'insecureSkipTLSVerifyBackend',
    'insecureSkipTLSVerifyBackend indicates that the apiserver should not confirm the validity of the serving certificate of the backend it is connecting to.',
  ),
  intQuery(
    'limitBytes',
    'If set, the number of bytes to read from the server before terminating the log output.',
  ),
  boolQuery('previous', 'Return previous terminated container logs. Defaults to false.'),
  intQuery('sinceSeconds', 'A relative time in seconds before the current time from which to show logs.'),
  intQuery('tailLines', 'If set, the number of lines from the end of the logs to show.'),
  boolQuery(
    'timestamps',
    'If true, add an RFC3339 or RFC3339Nano timestamp at the beginning of every line of log output. Defaults to false.',
  ),
];

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonAndYaml = (name: string) => ({
  'application/json': { schema: schemaRef(name) },
  'application/yaml': { schema: schemaRef(name) },
});
const response = (description: string, name: string) => ({ description, content: jsonAndYaml(name) });
const unauthorized = { '401': { description: 'Unauthorized' } };
/** A request body of any content type that decodes to `name`. DeleteOptions bodies are optional. */
const bodyOf = (name: string, required = true) => ({
  content: { '*/*': { schema: schemaRef(name) } },
  ...(required ? { required: true } : {}),
});
const createResponses = (name: string) => ({
  '200': response('OK', name),
  '201': response('Created', name),
  '202': response('Accepted', name),
});
const deleteOptionsBody = bodyOf(`${metaV1}DeleteOptions`, false);

const patchBody = {
  content: Object.fromEntries(
    [
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ].map((type) => [type, { schema: schemaRef(`${metaV1}Patch`) }]),
  ),
  required: true,
};

interface Target {
  /** For operation ids: "NamespacedPod", "Node", "NamespacedPodStatus". */
  idSuffix: string;
  gvk: Gvk;
  schema: string;
  what: string;
  /** The group version in operation ids and tags; default core v1 ("CoreV1", "core_v1"). */
  api?: ApiIds;
}

/** How a group version appears in operation ids and tags ("CoordinationV1", "coordination_v1"). */
export interface ApiIds {
  id: string;
  tag: string;
}

function operation(
  verb: string,
  action: string,
  target: Target,
  description: string,
  parameters: Schema[],
  responses: Record<string, unknown>,
  requestBody?: Schema,
): Schema {
  return {
    description,
    operationId: `${verb}${target.api?.id ?? 'CoreV1'}${target.idSuffix}`,
    tags: [target.api?.tag ?? 'core_v1'],
    parameters,
    ...(requestBody ? { requestBody } : {}),
    responses: { ...responses, ...unauthorized },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': target.gvk,
  };
}

/** GET, PUT and PATCH of one object (the object itself, its status, its scale). */
function objectOperations(target: Target, verbs: readonly string[]): Record<string, Schema> {
  const ops: Record<string, Schema> = {};
  const ok = { '200': response('OK', target.schema) };
  const okOrCreated = { ...ok, '201': response('Created', target.schema) };
  if (verbs.includes('get')) ops.get = operation('read', 'get', target, `read ${target.what}`, [], ok);
  if (verbs.includes('update')) {
    ops.put = operation(
      'replace',
      'put',
      target,
      `replace ${target.what}`,
      writeParams,
      okOrCreated,
      bodyOf(target.schema),
    );
  }
  if (verbs.includes('patch')) {
    ops.patch = operation(
      'patch',
      'patch',
      target,
      `partially update ${target.what}`,
      [...writeParams, force],
      okOrCreated,
      patchBody,
    );
  }
  return ops;
}

function kindGvk(r: ResourceInfo): Gvk {
  return { group: r.group, version: r.version, kind: r.kind };
}

/** `/api/v1` or `/apis/{group}/{version}`. */
const rootOf = (r: ResourceInfo): string => (r.group === '' ? '/api/v1' : `/apis/${apiVersionOf(r)}`);

/**
 * `schemaPrefix`: where the kinds' schemas live (`io.k8s.api.core.v1.`); `api`: the group version in
 * operation ids, as Kubernetes writes them (`readCoordinationV1NamespacedLease`).
 */
function resourcePaths(r: ResourceInfo, schemaPrefix = coreV1, api?: ApiIds): Record<string, Schema> {
  const scope = r.namespaced ? 'Namespaced' : '';
  const root = rootOf(r);
  const base = r.namespaced ? `${root}/namespaces/{namespace}/${r.name}` : `${root}/${r.name}`;
  const schema = `${schemaPrefix}${r.kind}`;
  const listSchema = `${schemaPrefix}${r.listKind}`;
  const scopeParams = r.namespaced
    ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects'), pretty]
    : [pretty];
  const nameParam = pathParam('name', `name of the ${r.kind}`);
  const item: Target = {
    idSuffix: `${scope}${r.kind}`,
    gvk: kindGvk(r),
    schema,
    what: `the specified ${r.kind}`,
    ...(api ? { api } : {}),
  };
  const paths: Record<string, Schema> = {};

  const collection: Schema = { parameters: scopeParams };
  if (r.verbs.includes('list')) {
    collection.get = operation('list', 'list', item, `list or watch objects of kind ${r.kind}`, listParams, {
      '200': response('OK', listSchema),
    });
  }
  if (r.verbs.includes('create')) {
    collection.post = operation(
      'create',
      'post',
      item,
      `create a ${r.kind}`,
      writeParams,
      createResponses(schema),
      bodyOf(schema),
    );
  }
  if (r.verbs.includes('deletecollection')) {
    collection.delete = operation(
      'delete',
      'deletecollection',
      { ...item, idSuffix: `Collection${scope}${r.kind}` },
      `delete collection of ${r.kind}`,
      [...deleteParams, ...listParams.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
      { '200': response('OK', `${metaV1}Status`) },
      deleteOptionsBody,
    );
  }
  paths[base] = collection;

  const one: Schema = { parameters: [nameParam, ...scopeParams], ...objectOperations(item, r.verbs) };
  if (r.verbs.includes('delete')) {
    one.delete = operation(
      'delete',
      'delete',
      item,
      `delete a ${r.kind}`,
      deleteParams,
      {
        '200': response('OK', schema),
        '202': response('Accepted', schema),
      },
      deleteOptionsBody,
    );
  }
  paths[`${base}/{name}`] = one;

  for (const sub of r.subresources) {
    const subPath = `${base}/{name}/${sub}`;
    const params = [nameParam, ...scopeParams];
    const suffix = `${scope}${r.kind}${sub[0]!.toUpperCase()}${sub.slice(1)}`;
    if (sub === 'status') {
      const target = { idSuffix: suffix, gvk: kindGvk(r), schema, what: `status of the specified ${r.kind}` };
      paths[subPath] = { parameters: params, ...objectOperations(target, ['get', 'update', 'patch']) };
    } else if (sub === 'scale') {
      const scale = 'io.k8s.api.autoscaling.v1.Scale';
      const target = {
        idSuffix: suffix,
        gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
        schema: scale,
        what: `scale of the specified ${r.kind}`,
      };
      paths[subPath] = { parameters: params, ...objectOperations(target, ['get', 'update', 'patch']) };
    } else if (sub === 'binding') {
      const binding = `${coreV1}Binding`;
      const target = {
        idSuffix: suffix,
        gvk: { group: '', version: 'v1', kind: 'Binding' },
        schema: binding,
        what: 'binding of a Pod',
      };
      paths[subPath] = {
        parameters: params,
        post: operation(
          'create',
          'post',
          target,
          `create binding of a ${r.kind}`,
          writeParams,
          createResponses(binding),
          bodyOf(binding),
        ),
      };
    } else if (sub === 'log') {
      paths[subPath] = {
        parameters: params,
        get: {
          ...operation(
            'read',
            'get',
            { ...item, idSuffix: suffix },
            `read log of the specified ${r.kind}`,
            logParams,
            {},
          ),
          responses: {
            '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } },
            ...unauthorized,
          },
        },
      };
    }
  }

  if (r.namespaced && r.verbs.includes('list')) {
    paths[`${root}/${r.name}`] = {
      parameters: [pretty],
      get: operation(
        'list',
        'list',
        { ...item, idSuffix: `${r.kind}ForAllNamespaces` },
        `list or watch objects of kind ${r.kind}`,
        listParams,
        { '200': response('OK', listSchema) },
      ),
    };
  }
  return paths;
}

export function coreV1Paths(): Record<string, Schema> {
  return Object.assign({}, ...coreResources.map((r) => resourcePaths(r)));
}

/** The paths of a named group version's resources, e.g. `CoordinationV1` ids under io.k8s.api.coordination.v1. */
export function groupVersionPaths(
  resources: readonly ResourceInfo[],
  schemaPrefix: string,
  api: ApiIds,
): Record<string, Schema> {
  return Object.assign({}, ...resources.map((r) => resourcePaths(r, schemaPrefix, api)));
}
