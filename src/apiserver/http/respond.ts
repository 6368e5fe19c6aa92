// Writing responses: JSON bodies and Kubernetes Status errors. Bodies are serialized once and sent
// with a Content-Length; headers that a handler set earlier (Warning) are kept.
import type { ServerResponse } from 'node:http';
import { ApiError, toStatus } from '../../api/errors.js';
import type { Status } from '../../api/types.js';
import { isStorageError } from '../storage/types.js';

export function writeJson(res: ServerResponse, code: number, body: unknown): void {
  writeJsonText(res, code, typeof body === 'string' ? body : JSON.stringify(body));
}

/** Sends already-serialized JSON (the watch cache keeps objects serialized). */
export function writeJsonText(res: ServerResponse, code: number, text: string | Buffer): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': bytes.length });
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

export function writeText(
  res: ServerResponse,
  code: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  const bytes = Buffer.from(text);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': bytes.length });
  res.end(bytes);
}

/** Any thrown value becomes a Status with its HTTP code; unknown errors are 500 without a stack. */
export function writeError(res: ServerResponse, error: unknown): Status {
  const status = toStatus(storageErrorToApi(error));
  if (res.headersSent) {
    // A streaming response already started (watch, logs): the stream itself reports errors.
    res.destroy();
    return status;
  }
  const retryAfter = status.details?.retryAfterSeconds;
  if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
  writeJson(res, status.code, status);
  return status;
}

/** Storage failures as the Status a client can act on: retry (503), relist (410) or fix the request (400). */
export function storageErrorToApi(error: unknown): unknown {
  if (!isStorageError(error)) return error;
  switch (error.code) {
    case 'Expired':
      return new ApiError('Expired', error.message);
    case 'InvalidArgument':
      return new ApiError('BadRequest', error.message);
    default:
      return new ApiError('ServiceUnavailable', `storage unavailable: ${error.message}`, {
        retryAfterSeconds: 1,
      });
  }
}

/** Adds a `Warning` header in the RFC 7234 form Kubernetes uses (kubectl prints "Warning: <text>"). */
export function addWarning(res: ServerResponse, text: string): void {
  const value = `299 - "${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  const current = res.getHeader('Warning');
  if (current === undefined) res.setHeader('Warning', value);
  else res.setHeader('Warning', [...(Array.isArray(current) ? current : [String(current)]), value]);
}
