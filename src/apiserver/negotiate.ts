// Content negotiation in kubectl's dialect. Clients ask for alternate representations through media
// type parameters on `application/json` (`as=Table;g=meta.k8s.io;v=v1`, `as=APIGroupDiscoveryList;
// g=apidiscovery.k8s.io;v=v2`, …) and list a plain `application/json` last as the fallback. We only
// ever answer JSON: a protobuf clause is skipped, so `application/vnd.kubernetes.protobuf,application/json`
// gets JSON. Each endpoint uses the part of the result it supports (lists: `table`; /api and /apis:
// `aggregatedDiscovery`) and answers plain JSON otherwise, as Kubernetes does.
import { badRequest } from '../api/errors.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface Negotiated {
  /** A meta.k8s.io Table was asked for before any plain JSON clause. */
  table: boolean;
  /** What each Table row's `object` carries (`?includeObject=`, default Metadata). */
  tableIncludeObject: IncludeObject;
  /** `as=PartialObjectMetadata` / `PartialObjectMetadataList` was asked for. */
  partialMetadata: boolean;
  /** The aggregated discovery version asked for first, if any. */
  aggregatedDiscovery: 'v2' | 'v2beta1' | undefined;
  /** False when no clause can be answered with JSON at all (Kubernetes would answer 406). */
  acceptable: boolean;
}

export interface MediaRange {
  /** `type/subtype`, lower case. */
  type: string;
  /** Parameters other than `q`, keys lower case, values unquoted. */
  params: Record<string, string>;
  q: number;
}

/** Splits an Accept header into media ranges, best first (by `q`, then by position). */
export function parseAccept(accept: string | undefined): MediaRange[] {
  if (accept === undefined || accept.trim() === '') return [{ type: '*/*', params: {}, q: 1 }];
  const ranges: Array<MediaRange & { index: number }> = [];
  splitOutsideQuotes(accept, ',').forEach((clause, index) => {
    const parts = splitOutsideQuotes(clause, ';');
    const type = (parts[0] ?? '').trim().toLowerCase();
    if (type === '') return;
    const params: Record<string, string> = {};
    let q = 1;
    for (const part of parts.slice(1)) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const key = part.slice(0, eq).trim().toLowerCase();
      const value = unquote(part.slice(eq + 1).trim());
      if (key === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
      } else {
        params[key] = value;
      }
    }
    if (q > 0) ranges.push({ type, params, q, index });
  });
  ranges.sort((a, b) => b.q - a.q || a.index - b.index);
  return ranges.map(({ type, params, q }) => ({ type, params, q }));
}

const jsonRanges = new Set(['application/json', 'application/*', '*/*']);

export function negotiateAccept(accept: string | undefined, query: URLSearchParams): Negotiated {
  const result: Negotiated = {
    table: false,
    tableIncludeObject: 'Metadata',
    partialMetadata: false,
    aggregatedDiscovery: undefined,
    acceptable: false,
  };
  for (const range of parseAccept(accept)) {
    if (!jsonRanges.has(range.type)) continue; // protobuf, yaml, text: we answer JSON only
    const { as, g, v } = range.params;
    if (as === undefined) {
      result.acceptable = true;
      break; // a plain JSON clause: anything listed after it is never preferred
    }
    if (as === 'Table' && g === 'meta.k8s.io' && (v === 'v1' || v === 'v1beta1')) {
      result.table = true;
    } else if (
      as === 'APIGroupDiscoveryList' &&
      g === 'apidiscovery.k8s.io' &&
      (v === 'v2' || v === 'v2beta1')
    ) {
      result.aggregatedDiscovery ??= v;
    } else if (
      (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') &&
      g === 'meta.k8s.io' &&
      (v === 'v1' || v === 'v1beta1')
    ) {
      result.partialMetadata = true;
    } else {
      continue; // an alternate representation we do not serve
    }
    result.acceptable = true;
  }
  if (result.table) result.tableIncludeObject = parseIncludeObject(query.get('includeObject'));
  return result;
}

/** `?includeObject=`: empty means Metadata; anything unknown is a 400, as in Kubernetes. */
export function parseIncludeObject(value: string | null): IncludeObject {
  if (value === null || value === '' || value === 'Metadata') return 'Metadata';
  if (value === 'None' || value === 'Object') return value;
  throw badRequest(`unrecognized includeObject value: "${value}"`);
}

/** The bare media type of a Content-Type header: lower case, parameters dropped. */
export function mediaTypeOf(contentType: string | undefined): string {
  if (!contentType) return '';
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/**
 * True for bodies we parse as JSON: `application/json` and the JSON patch flavours
 * (`application/merge-patch+json`, `application/strategic-merge-patch+json`, `application/json-patch+json`).
 */
export function isJsonLike(contentType: string | undefined): boolean {
  const type = mediaTypeOf(contentType);
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** True for `application/yaml`, `application/apply-patch+yaml` and friends (kubectl puts JSON in them). */
export function isYamlLike(contentType: string | undefined): boolean {
  const type = mediaTypeOf(contentType);
  return (
    type === 'application/yaml' ||
    type === 'text/yaml' ||
    (type.startsWith('application/') && type.endsWith('+yaml'))
  );
}

export function isProtobuf(contentType: string | undefined): boolean {
  return mediaTypeOf(contentType) === 'application/vnd.kubernetes.protobuf';
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && quoted) i++;
    else if (c === separator && !quoted) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value;
}
