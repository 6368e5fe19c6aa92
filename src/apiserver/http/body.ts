// Request bodies: read with a size limit (413 past it) and decoded by Content-Type: JSON, YAML
// (kubectl's apply-patch+yaml carries JSON, which YAML also reads) and Kubernetes protobuf (which
// kubectl uses for `create namespace`, `create service` and drain's DeleteOptions).
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest } from '../../api/errors.js';
import { checkNesting } from '../limits/nesting.js';
import { isJsonLike, isProtobuf, isYamlLike, mediaTypeOf } from '../negotiate.js';
import { decodeProtobuf } from '../protobuf.js';

export function tooLarge(limit: number): ApiError {
  return new ApiError('RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limitBytes) throw tooLarge(limitBytes);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

export const acceptedBodyTypes = 'application/json, application/yaml, application/vnd.kubernetes.protobuf';

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${acceptedBodyTypes}` +
      (contentType ? ` (got ${contentType})` : ''),
  );
}

/**
 * Parses a body by its Content-Type. An absent Content-Type is read as JSON (kubectl's scale PUT
 * sends none). Throws BadRequest for malformed input and UnsupportedMediaType for other types.
 */
export function decodeBody(bytes: Buffer, contentType: string | undefined): unknown {
  const type = mediaTypeOf(contentType);
  if (type === '' || isJsonLike(type)) return parseJson(bytes);
  if (isYamlLike(type)) return parseYamlDocument(bytes);
  if (isProtobuf(type)) {
    try {
      return decodeProtobuf(bytes);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw badRequest(`unable to decode protobuf body: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw unsupportedMediaType(contentType ?? '');
}

export function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) throw badRequest("Object 'Kind' is missing in ''");
  const text = bytes.toString('utf8');
  checkNesting(text, 'json');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`json parse error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseYamlDocument(bytes: Buffer): unknown {
  if (bytes.length === 0) throw badRequest("Object 'Kind' is missing in ''");
  const text = bytes.toString('utf8');
  checkNesting(text, 'yaml');
  try {
    return parseYaml(text, { strict: true, uniqueKeys: true, maxAliasCount: 100 });
  } catch (e) {
    throw badRequest(`yaml parse error: ${e instanceof Error ? e.message : String(e)}`);
  }
}
