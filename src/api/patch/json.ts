// JSON patch (RFC 6902) through fast-json-patch, with Kubernetes' error mapping: a body that is not a
// list of operation objects is a 400 BadRequest; an operation that cannot be applied (a failed
// `test`, a missing path, an unknown op) is a 422 Invalid "the server rejected our request due to
// an error in our request" whose cause carries evanphx/json-patch's wording, as kube-apiserver does.
import jsonpatch from 'fast-json-patch';
import { ApiError, badRequest } from '../errors.js';
import { isMap, patchApplyError } from './util.js';

/** kube-apiserver's limit on the number of operations in one JSON patch. */
export const maxJSONPatchOperations = 10000;

type Operation = jsonpatch.Operation;

function applyErrorDetail(error: unknown, op: Record<string, unknown> | undefined): string {
  const name = error instanceof Error ? error.name : '';
  const kind = String(op?.op ?? '');
  const path = String(op?.path ?? '');
  switch (name) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
    case 'OPERATION_PATH_UNRESOLVABLE':
    case 'OPERATION_PATH_CANNOT_ADD':
    case 'OPERATION_PATH_INVALID':
      return `${kind} operation does not apply: doc is missing path: "${path}": missing value`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${kind} operation does not apply: doc is missing from path: ${String(op?.from ?? '')}: missing value`;
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
      return `Unable to access invalid index: ${path.slice(path.lastIndexOf('/') + 1)}: invalid index referenced`;
    case 'OPERATION_OP_INVALID':
      return `Unexpected kind: ${kind}`;
    case 'OPERATION_VALUE_REQUIRED':
    case 'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED':
      return `${kind} operation does not apply: missing value`;
    case 'OPERATION_FROM_REQUIRED':
      return `${kind} operation does not apply: missing from path`;
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** Returns the patched document; `original` is not modified. */
export function jsonPatch(original: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) {
    throw badRequest(
      `json: cannot unmarshal ${jsonTypeName(operations)} into Go value of type jsonpatch.Patch`,
    );
  }
  for (const op of operations) {
    if (!isMap(op))
      throw badRequest(
        `json: cannot unmarshal ${jsonTypeName(op)} into Go value of type jsonpatch.Operation`,
      );
  }
  if (operations.length > maxJSONPatchOperations) {
    throw new ApiError(
      'RequestEntityTooLarge',
      `The allowed maximum operations in a JSON patch is ${maxJSONPatchOperations}, got ${operations.length}`,
    );
  }
  try {
    return jsonpatch.applyPatch(original, operations as Operation[], true, false, true).newDocument;
  } catch (e) {
    const index = (e as { index?: number }).index;
    const op = index === undefined ? undefined : (operations[index] as Record<string, unknown>);
    throw patchApplyError(applyErrorDetail(e, op));
  }
}

function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : typeof v;
}
