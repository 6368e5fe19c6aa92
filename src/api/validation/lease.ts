// coordination.k8s.io/v1 Leases, after Kubernetes' pkg/apis/coordination/validation: a positive
// duration, no negative transition count, a known (or qualified, custom) strategy, and a preferred
// holder only with a strategy. Times are MicroTime: anything Date.parse cannot read is refused here,
// where Kubernetes' decoder would refuse it.
import { type Causes, forbidden, invalid, isNegativeErrorMsg, type Json, notSupported } from './field.js';
import { isQualifiedName } from './names.js';

const leaseStrategies = ['OldestEmulationVersion'];
const rfc3339Pattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function validateLeaseSpec(c: Causes, obj: Json): void {
  const spec = c.object(obj, 'spec', '') ?? {};
  c.string(spec, 'holderIdentity', 'spec');
  const duration = c.integer(spec, 'leaseDurationSeconds', 'spec');
  if (duration !== undefined && duration <= 0) {
    c.add(invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  }
  const transitions = c.integer(spec, 'leaseTransitions', 'spec');
  if (transitions !== undefined && transitions < 0) {
    c.add(invalid('spec.leaseTransitions', transitions, isNegativeErrorMsg));
  }
  for (const field of ['acquireTime', 'renewTime']) {
    const time = c.string(spec, field, 'spec');
    if (time !== undefined && (!rfc3339Pattern.test(time) || Number.isNaN(Date.parse(time)))) {
      c.add(invalid(`spec.${field}`, time, 'must be an RFC 3339 time'));
    }
  }
  const strategy = c.string(spec, 'strategy', 'spec');
  if (strategy !== undefined && strategy !== '') {
    if (!strategy.includes('/')) {
      if (!leaseStrategies.includes(strategy))
        c.add(notSupported('spec.strategy', strategy, leaseStrategies));
    } else {
      for (const msg of isQualifiedName(strategy)) c.add(invalid('spec.strategy', strategy, msg));
    }
  }
  const preferred = c.string(spec, 'preferredHolder', 'spec');
  if (preferred && !strategy) {
    c.add(forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
}
