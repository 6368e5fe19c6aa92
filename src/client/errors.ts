// Turning apiserver answers into typed errors, and the predicates callers branch on. A non-2xx answer
// carries a `Status`; we keep its reason, message, details and code so that callers see exactly what a
// Kubernetes client would (`isNotFound(e)`, `isConflict(e)`, …).
import { ApiError, type StatusReason } from '../api/errors.js';
import type { Status } from '../api/types.js';

const knownReasons: ReadonlySet<string> = new Set<StatusReason>([
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Invalid',
  'BadRequest',
  'Unauthorized',
  'Forbidden',
  'MethodNotAllowed',
  'NotAcceptable',
  'Expired',
  'Gone',
  'RequestEntityTooLarge',
  'UnsupportedMediaType',
  'TooManyRequests',
  'Timeout',
  'ServiceUnavailable',
  'InternalError',
]);

/** The reason Kubernetes' client-go infers from a bare HTTP code (`errors.reasonForError` / `NewGenericServerResponse`). */
function reasonForCode(code: number): StatusReason {
  switch (code) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 406:
      return 'NotAcceptable';
    case 409:
      return 'Conflict';
    case 410:
      return 'Expired';
    case 413:
      return 'RequestEntityTooLarge';
    case 415:
      return 'UnsupportedMediaType';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'Timeout';
    default:
      return 'InternalError';
  }
}

export function isStatus(value: unknown): value is Status {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status';
}

/** An ApiError from a failure `Status` (a watch ERROR event's object, or a decoded error body). */
export function apiErrorFromStatus(status: Partial<Status>, httpCode?: number): ApiError {
  const code = typeof status.code === 'number' && status.code > 0 ? status.code : (httpCode ?? 500);
  const reason =
    typeof status.reason === 'string' && knownReasons.has(status.reason)
      ? (status.reason as StatusReason)
      : reasonForCode(code);
  const message = status.message || `the server responded with ${reason} (${code})`;
  return new ApiError(reason, message, status.details, code);
}

/** An ApiError from a non-2xx HTTP answer; bodies that are not a Status keep their text as the message. */
export function apiErrorFromResponse(httpCode: number, bodyText: string): ApiError {
  if (bodyText.length > 0 && bodyText.charCodeAt(0) === 123 /* { */) {
    try {
      const parsed: unknown = JSON.parse(bodyText);
      if (isStatus(parsed)) return apiErrorFromStatus(parsed, httpCode);
    } catch {
      // not JSON after all: fall through and keep the text
    }
  }
  const reason = reasonForCode(httpCode);
  const text = bodyText.trim().slice(0, 1024);
  return new ApiError(
    reason,
    text || `the server responded with ${reason} (${httpCode})`,
    undefined,
    httpCode,
  );
}

function hasReason(e: unknown, reason: StatusReason): boolean {
  return e instanceof ApiError && e.reason === reason;
}

export function isNotFound(e: unknown): e is ApiError {
  return hasReason(e, 'NotFound');
}

export function isConflict(e: unknown): e is ApiError {
  return hasReason(e, 'Conflict');
}

export function isAlreadyExists(e: unknown): e is ApiError {
  return hasReason(e, 'AlreadyExists');
}

export function isInvalid(e: unknown): e is ApiError {
  return hasReason(e, 'Invalid');
}

/** 410: the requested resourceVersion is older than what the server keeps (reason Expired or Gone). */
export function isExpired(e: unknown): e is ApiError {
  return e instanceof ApiError && e.httpCode === 410;
}
