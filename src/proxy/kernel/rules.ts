// What the proxier needs from a kernel data path: apply a batch of service port changes atomically,
// and remove everything it owns on close.
import type { ServicePortConfig } from '../config.js';

export interface KernelRules {
  /** Creates or replaces the rules of `upserts` and deletes those of `removals` (port keys), atomically. */
  apply(upserts: readonly ServicePortConfig[], removals: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
