// Write strategies of the RBAC objects: nothing server-filled beyond generic metadata, and PUT of a
// missing object creates it (Kubernetes' RBAC strategies allow create-on-update).
import { type ResourceInfo, rbacResources } from '../../../api/resources.js';
import type { Strategy } from '../../registry/strategy.js';

function rbacStrategy(resource: ResourceInfo): Strategy {
  return {
    resource,
    allowCreateOnUpdate: true,
    prepareForCreate: () => {},
    prepareForUpdate: () => {},
  };
}

export const rbacStrategies: ReadonlyMap<string, Strategy> = new Map(
  rbacResources.map((r) => [r.name, rbacStrategy(r)]),
);
