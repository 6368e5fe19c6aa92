// Side effects a write takes before it is stored (a cluster IP or node port reserved) and the hooks
// that take them. The write's outcome settles a reservation: commit when stored, rollback otherwise.
import type { KubeObject } from '../../api/types.js';

export interface Reservation {
  commit(): void;
  rollback(): void;
}

export const noReservation: Reservation = { commit: () => {}, rollback: () => {} };

export interface WriteHooks {
  beforeCreate?(obj: KubeObject, dryRun: boolean): Reservation;
  beforeUpdate?(obj: KubeObject, old: KubeObject, dryRun: boolean): Reservation;
  /** The object has left storage (any path: delete, finalizers removed, namespace purge). */
  afterDelete?(obj: KubeObject): void;
  /** A DELETE stored the object with deletionTimestamp: it waits for a grace period or finalizers. */
  afterDeletionPending?(obj: KubeObject): void;
}
