import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.js';
import { StorageError } from '../storage/types.js';
import { storageErrorToApi } from './respond.js';

describe('storageErrorToApi', () => {
  it('maps storage failures to Statuses clients act on', () => {
    const as = (e: unknown) => storageErrorToApi(e) as ApiError;
    expect(as(new StorageError('Unavailable', 'etcd down')).httpCode).toBe(503);
    expect(as(new StorageError('Closed', 'closed')).httpCode).toBe(503);
    expect(as(new StorageError('Expired', 'compacted')).httpCode).toBe(410);
    expect(as(new StorageError('InvalidArgument', 'future revision')).httpCode).toBe(400);
    const other = new ApiError('NotFound', 'x');
    expect(storageErrorToApi(other)).toBe(other);
  });
});
