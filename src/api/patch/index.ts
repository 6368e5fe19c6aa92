// The four PATCH content types of the Kubernetes API and one entry point that applies any of them.
import { parse as parseYaml } from 'yaml';
import { jsonPatch } from './json.js';
import { jsonMergePatch } from './merge.js';
import { strategicMergePatch } from './strategic.js';
import { decodePatchBody } from './util.js';

export { jsonPatch, maxJSONPatchOperations } from './json.js';
export { jsonMergePatch } from './merge.js';
export { type FieldSchema, type Schema, schemaOf, schemasByKind } from './schema.js';
export { strategicMergePatch } from './strategic.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const patchTypes: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The patch type of a Content-Type header (parameters and case ignored), or undefined. */
export function patchTypeOf(contentType: string): PatchType | undefined {
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  return patchTypes[mediaType];
}

/**
 * Returns a new document; never mutates `original`. `kind` selects the strategic-merge schema.
 * Throws ApiError: BadRequest for malformed patches; Invalid (422) for failed JSON-patch `test` ops or
 * paths that do not exist. A patch given as text or bytes is parsed first (YAML for apply).
 * 'apply' (server-side apply; the body is the whole intended object) is applied as a strategic merge
 * of that object onto the live one: fields it names are set, fields it omits are left alone.
 */
export function applyPatch(type: PatchType, kind: string, original: unknown, patch: unknown): unknown {
  switch (type) {
    case 'json':
      return jsonPatch(original, decodePatchBody(patch, JSON.parse));
    case 'merge':
      return jsonMergePatch(original, decodePatchBody(patch, JSON.parse));
    case 'strategic':
      return strategicMergePatch(kind, original, decodePatchBody(patch, JSON.parse));
    case 'apply':
      return strategicMergePatch(
        kind,
        original,
        decodePatchBody(patch, (text) => parseYaml(text)),
      );
  }
}
