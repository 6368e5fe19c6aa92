// URL paths of the Kubernetes REST API, built from the resource table:
// /api/v1/namespaces/{ns}/{resource}/{name}/{subresource} (core group) or /apis/{group}/{version}/….
import type { ResourceInfo } from '../api/resources.js';

export type QueryValue = string | number | boolean | undefined;

/** Path of a collection (`name` omitted) or an object, optionally a subresource of it. */
export function resourcePath(
  info: ResourceInfo,
  namespace: string | undefined,
  name?: string,
  subresource?: string,
): string {
  let path = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  if (info.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${info.name}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}

/** Appends the defined, non-empty parameters as a query string. */
export function withQuery(path: string, params: Record<string, QueryValue>): string {
  let out = path;
  let sep = path.includes('?') ? '&' : '?';
  for (const key in params) {
    const value = params[key];
    if (value === undefined || value === '') continue;
    out += `${sep}${key}=${encodeURIComponent(String(value))}`;
    sep = '&';
  }
  return out;
}
