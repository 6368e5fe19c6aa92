// StorageEvents built one way by every implementation.
import type { StorageEvent } from './types.js';

/** The value a write replaced and the revision it had. */
export interface Replaced {
  readonly value: Uint8Array;
  readonly modRevision: number;
}

/** A put of `value`: an update of `prev`, or the creation of the key when there is none. */
export function putEvent(
  key: string,
  revision: number,
  createRevision: number,
  value: Uint8Array,
  prev?: Replaced,
): StorageEvent {
  if (!prev) return { type: 'put', key, revision, value, createRevision };
  return {
    type: 'put',
    key,
    revision,
    value,
    createRevision,
    prevValue: prev.value,
    prevModRevision: prev.modRevision,
  };
}

/** The deletion of `prev`: the event carries the deleted value as both value and prevValue. */
export function deleteEvent(
  key: string,
  revision: number,
  createRevision: number,
  prev: Replaced,
): StorageEvent {
  return {
    type: 'delete',
    key,
    revision,
    value: prev.value,
    createRevision,
    prevValue: prev.value,
    prevModRevision: prev.modRevision,
  };
}
