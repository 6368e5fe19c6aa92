// The StorageErrors every implementation throws, worded once.
import { StorageError } from './types.js';

export function expiredError(revision: number, compactedRevision: number): StorageError {
  return new StorageError(
    'Expired',
    `revision ${revision} has been compacted (history is kept after revision ${compactedRevision})`,
  );
}

export function futureRevisionError(revision: number, currentRevision: number): StorageError {
  return new StorageError(
    'InvalidArgument',
    `revision ${revision} is in the future (current revision is ${currentRevision})`,
  );
}

export function closedError(what = 'storage'): StorageError {
  return new StorageError('Closed', `${what} is closed`);
}
