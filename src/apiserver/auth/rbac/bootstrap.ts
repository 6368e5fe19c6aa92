// Writes the default ClusterRoles and ClusterRoleBindings at start-up, like Kubernetes' RBAC
// post-start hook: missing ones are created; existing ones annotated autoupdate=true get the default
// rules back (roles) or the default subjects added (bindings). Set the annotation to "false" to keep
// an edited default as it is.
import { ApiError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/types.js';
import type { Logger } from '../../../util/log.js';
import type { WriteQuery } from '../../http/query.js';
import type { ResourceRest } from '../../registry/rest.js';
import { autoupdateAnnotation, defaultClusterRoleBindings, defaultClusterRoles } from './bootstrap-policy.js';
import type { RoleBinding } from './types.js';

const systemWrite: WriteQuery = {
  dryRun: false,
  fieldManager: undefined,
  fieldValidation: 'Ignore',
  force: false,
};

export async function reconcileBootstrapPolicy(
  rests: ReadonlyMap<string, ResourceRest>,
  logger: Logger,
): Promise<void> {
  const roles = rests.get('clusterroles');
  const bindings = rests.get('clusterrolebindings');
  if (!roles || !bindings) throw new Error('rbac bootstrap: no clusterroles/clusterrolebindings registry');
  for (const role of defaultClusterRoles()) {
    await ensure(
      roles,
      role as unknown as KubeObject,
      (current) => {
        const same = JSON.stringify(current.rules ?? []) === JSON.stringify(role.rules);
        return same ? undefined : { ...current, rules: role.rules };
      },
      logger,
    );
  }
  for (const binding of defaultClusterRoleBindings()) {
    await ensure(
      bindings,
      binding as unknown as KubeObject,
      (current) => {
        const have = (current as unknown as RoleBinding).subjects ?? [];
        const missing = (binding.subjects ?? []).filter(
          (s) => !have.some((h) => h.kind === s.kind && h.name === s.name),
        );
        return missing.length === 0 ? undefined : { ...current, subjects: [...have, ...missing] };
      },
      logger,
    );
  }
}

async function ensure(
  rest: ResourceRest,
  wanted: KubeObject,
  repair: (current: KubeObject & { rules?: unknown }) => KubeObject | undefined,
  logger: Logger,
): Promise<void> {
  const name = wanted.metadata.name ?? '';
  const current = await rest.store.get('', name);
  if (!current) {
    try {
      await rest.create('', structuredClone(wanted), systemWrite);
      return;
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    }
  }
  const stored = current ?? (await rest.store.get('', name));
  if (stored?.metadata.annotations?.[autoupdateAnnotation] !== 'true') return;
  if (!repair(stored)) return;
  await rest.updateWith('', name, (latest) => repair(latest) ?? latest, systemWrite, 'main');
  logger.info({ resource: rest.resource.name, name }, 'rbac default reconciled');
}
