// One error family for the whole project. Each error carries a stable `code` (its Kubernetes Status
// reason) and the HTTP status it maps to, so a storage failure, a validation failure and a handler
// failure all reach the client as the same well-formed `Status` object.
import type { Status, StatusCause, StatusDetails } from './types.js';

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'Expired'
  | 'Gone'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'Timeout'
  | 'ServiceUnavailable'
  | 'InternalError';

const httpCodeOf: Record<StatusReason, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  Expired: 410,
  Gone: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  TooManyRequests: 429,
  Timeout: 504,
  ServiceUnavailable: 503,
  InternalError: 500,
};

export class ApiError extends Error {
  readonly reason: StatusReason;
  readonly httpCode: number;
  readonly details?: StatusDetails;

  constructor(reason: StatusReason, message: string, details?: StatusDetails, httpCode?: number) {
    super(message);
    this.name = 'ApiError';
    this.reason = reason;
    this.httpCode = httpCode ?? httpCodeOf[reason];
    this.details = details;
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.httpCode,
    };
  }
}

/** `kind` here is the plural resource name, as Kubernetes puts it in details ("pods"). */
export function notFound(resource: string, name: string): ApiError {
  return new ApiError('NotFound', `${resource} "${name}" not found`, { name, kind: resource });
}

export function alreadyExists(resource: string, name: string): ApiError {
  return new ApiError('AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource });
}

export function conflict(resource: string, name: string, why: string): ApiError {
  return new ApiError('Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, {
    name,
    kind: resource,
  });
}

export const staleObjectMessage =
  'the object has been modified; please apply your changes to the latest version and try again';

export function invalid(kind: string, name: string, causes: StatusCause[]): ApiError {
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : (c.message ?? ''))).join(', ');
  const shown = causes.length === 1 ? summary : `[${summary}]`;
  return new ApiError('Invalid', `${kind} "${name}" is invalid: ${shown}`, { name, kind, causes });
}

export function badRequest(message: string, causes?: StatusCause[]): ApiError {
  return new ApiError('BadRequest', message, causes ? { causes } : undefined);
}

export function forbidden(message: string, details?: StatusDetails): ApiError {
  return new ApiError('Forbidden', message, details);
}

export function methodNotAllowed(
  message = 'the server does not allow this method on the requested resource',
): ApiError {
  return new ApiError('MethodNotAllowed', message);
}

/** The watch or list asked for a revision older than the retained window. */
export function expired(message: string): ApiError {
  return new ApiError('Expired', message);
}

export function internalError(message: string): ApiError {
  return new ApiError('InternalError', `Internal error occurred: ${message}`);
}

export function isApiError(e: unknown, reason?: StatusReason): e is ApiError {
  return e instanceof ApiError && (reason === undefined || e.reason === reason);
}

/** Turns anything thrown into a Status; unknown errors become 500 without leaking stacks. */
export function toStatus(e: unknown): Status {
  if (e instanceof ApiError) return e.toStatus();
  const message = e instanceof Error ? e.message : String(e);
  return internalError(message).toStatus();
}

export function successStatus(details?: StatusDetails, code = 200): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    ...(details ? { details } : {}),
    code,
  };
}
