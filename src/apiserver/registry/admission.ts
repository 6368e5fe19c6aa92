// Admission: checks every write passes through after defaulting and validation and before storage,
// as Kubernetes' validating admission plugins. Plugins are values in a list, so authorization-aware
// or quota plugins can be added without touching the handlers.
import type { ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionAttributes {
  readonly operation: AdmissionOperation;
  readonly resource: ResourceInfo;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  readonly object?: KubeObject;
  readonly oldObject?: KubeObject;
  readonly dryRun: boolean;
}

export interface AdmissionPlugin {
  readonly name: string;
  /** Throws an ApiError to refuse the request. */
  validate(attributes: AdmissionAttributes): void | Promise<void>;
}

export async function admit(
  plugins: readonly AdmissionPlugin[],
  attributes: AdmissionAttributes,
): Promise<void> {
  for (const plugin of plugins) await plugin.validate(attributes);
}
