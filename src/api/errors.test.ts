import { describe, expect, it } from 'vitest';
import { ApiError, alreadyExists, invalid, notFound, toStatus } from './errors.js';

describe('ApiError → Status', () => {
  it('maps NotFound to a 404 Status with kubectl-readable message and details', () => {
    expect(notFound('pods', 'web-1').toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "web-1" not found',
      reason: 'NotFound',
      details: { name: 'web-1', kind: 'pods' },
      code: 404,
    });
  });

  it('maps AlreadyExists to 409', () => {
    const s = alreadyExists('pods', 'web-1').toStatus();
    expect(s.code).toBe(409);
    expect(s.message).toBe('pods "web-1" already exists');
  });

  it('lists every cause of an Invalid error in the message and details', () => {
    const e = invalid('Pod', 'p', [
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: 0', field: 'spec.ports[0].port' },
    ]);
    expect(e.httpCode).toBe(422);
    expect(e.message).toBe(
      'Pod "p" is invalid: [spec.containers: Required value, spec.ports[0].port: Invalid value: 0]',
    );
    expect(e.toStatus().details?.causes).toHaveLength(2);
  });

  it('turns unknown errors into 500 InternalError', () => {
    const s = toStatus(new TypeError('boom'));
    expect(s.code).toBe(500);
    expect(s.reason).toBe('InternalError');
    expect(new ApiError('TooManyRequests', 'slow down').httpCode).toBe(429);
  });
});
