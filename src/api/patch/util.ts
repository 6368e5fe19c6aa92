// Small helpers shared by the patch implementations.
import { ApiError, badRequest } from '../errors.js';

export type JsonMap = Record<string, unknown>;

export function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property of a plain object (never one inherited from Object.prototype). */
export function own(obj: JsonMap, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Sets a key on a plain object, including "__proto__", without touching the prototype. */
export function setKey(obj: JsonMap, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** A JSON deep copy; patches never mutate the documents they are given. */
export function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

/**
 * The way Kubernetes reports a patch it could not apply: 422 Invalid with a generic message and the
 * detail as an UnexpectedServerResponse cause (what kubectl prints as "The request is invalid").
 */
export function patchApplyError(detail: string): ApiError {
  return new ApiError('Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message: detail }],
  });
}

/** A patch body that arrives as text or bytes is parsed here (JSON; YAML for apply patches). */
export function decodePatchBody(patch: unknown, parse: (text: string) => unknown): unknown {
  let text: string | undefined;
  if (typeof patch === 'string') text = patch;
  else if (patch instanceof Uint8Array) text = Buffer.from(patch).toString('utf8');
  if (text === undefined) return patch;
  try {
    return parse(text);
  } catch (e) {
    throw badRequest(`error decoding patch: ${e instanceof Error ? e.message : String(e)}`);
  }
}
