// Turns a method and URL into what the request is about, as Kubernetes' RequestInfoResolver does:
// the verb (get, list, watch, create, update, patch, delete, deletecollection), the resource, the
// namespace, the name and the subresource. Routing, metrics and (later) authorization read this.
import { badRequest } from '../../api/errors.js';
import { type ResourceInfo, resourceIn } from '../../api/resources.js';

export type ResourceVerb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection';

export interface ResourceRequest {
  readonly kind: 'resource';
  readonly verb: ResourceVerb;
  readonly resource: ResourceInfo;
  /** Empty for cluster-scoped resources and all-namespaces lists/watches. */
  readonly namespace: string;
  readonly name: string;
  readonly subresource: string;
}

export interface NonResourceRequest {
  readonly kind: 'nonResource';
  readonly path: string;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

/** Subresources of a namespace itself: /api/v1/namespaces/{name}/{status,finalize}. */
const namespaceSubresources = new Set(['status', 'finalize']);

export function resolveRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const parts = pathname.split('/').filter((p) => p !== '');
  // /api/v1/… (the core group) or /apis/{group}/{version}/… (named groups: RBAC, access reviews).
  const core = parts[0] === 'api';
  const prefixLength = core ? 2 : 3;
  if ((!core && parts[0] !== 'apis') || parts.length <= prefixLength)
    return { kind: 'nonResource', path: pathname };
  const group = core ? '' : parts[1]!;
  const version = parts[prefixLength - 1]!;
  let rest = parts.slice(prefixLength).map(decodeSegment);
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1]!;
    if (rest.length > 2 && !namespaceSubresources.has(rest[2]!)) rest = rest.slice(2);
  }
  const resourceName = rest[0];
  const resource = resourceName === undefined ? undefined : resourceIn(group, version, resourceName);
  if (!resource) return { kind: 'nonResource', path: pathname };
  const name = rest[1] ?? '';
  const subresource = rest[2] ?? '';
  if (rest.length > 3) return { kind: 'nonResource', path: pathname };
  if (resource.name === 'namespaces') namespace = '';
  if (!resource.namespaced) namespace = '';
  const verb = verbOf(method, name !== '', watchPath || isTrue(query.get('watch')));
  return { kind: 'resource', verb, resource, namespace, name, subresource };
}

function verbOf(method: string, named: boolean, watch: boolean): ResourceVerb {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return named ? 'get' : 'list';
  }
}

export function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`malformed path segment "${segment}"`);
  }
}
