// Nodes, after ValidateNode and ValidateNodeUpdate: taints, resources, pod CIDRs.
import { quantityFormatMessage, quantityFromJSON } from '../quantity.js';
import {
  type Causes,
  duplicate,
  forbidden,
  index,
  invalid,
  isNegativeErrorMsg,
  type Json,
  key,
  notSupported,
  required,
} from './field.js';
import { isQualifiedName, isValidIP, isValidLabelValue } from './names.js';

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateTaints(c: Causes, spec: Json): void {
  const seen = new Set<string>();
  for (const [i, taint] of c.objects(spec, 'taints', 'spec')) {
    const p = index('spec.taints', i);
    const k = c.string(taint, 'key', p) ?? '';
    for (const msg of isQualifiedName(k)) c.add(invalid(`${p}.key`, k, msg));
    const value = c.string(taint, 'value', p) ?? '';
    const errs = isValidLabelValue(value);
    if (errs.length > 0) c.add(invalid(`${p}.value`, value, errs.join(';')));
    const effect = c.string(taint, 'effect', p) ?? '';
    if (effect === '') c.add(required(`${p}.effect`));
    else if (!taintEffects.includes(effect)) c.add(notSupported(`${p}.effect`, effect, taintEffects));
    const unique = `${effect}\0${k}`;
    if (seen.has(unique)) {
      const cause = duplicate(p, taint);
      c.add({ ...cause, message: `${cause.message}: taints must be unique by key and effect pair` });
    }
    seen.add(unique);
  }
}

function validateResources(c: Causes, status: Json | undefined): void {
  for (const list of ['capacity', 'allocatable']) {
    const path = `status.${list}`;
    for (const [name, raw] of Object.entries(c.object(status, list, 'status') ?? {})) {
      for (const msg of isQualifiedName(name)) c.add(invalid(key(path, name), name, msg));
      try {
        const q = quantityFromJSON(raw);
        if (q.sign() < 0) c.add(invalid(key(path, name), q.toString(), isNegativeErrorMsg));
      } catch {
        c.add(invalid(key(path, name), raw, quantityFormatMessage));
      }
    }
  }
}

function isValidCIDR(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits) || !isValidIP(ip)) return false;
  return Number(bits) <= (ip.includes(':') ? 128 : 32);
}

export function validateNodeSpecAndStatus(c: Causes, obj: Json): void {
  const spec = c.object(obj, 'spec', '') ?? {};
  validateTaints(c, spec);
  validateResources(c, c.object(obj, 'status', ''));
  c.strings(spec, 'podCIDRs', 'spec').forEach((cidr, i) => {
    if (!isValidCIDR(cidr)) {
      c.add(
        invalid(
          `spec.podCIDRs[${i}]`,
          cidr,
          'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
        ),
      );
    }
  });
}

/** Pod CIDRs and the provider ID may be set once, never changed. */
export function validateNodeUpdate(c: Causes, obj: Json, old: Json): void {
  const spec = (obj.spec ?? {}) as Json;
  const before = (old.spec ?? {}) as Json;
  const cidrs = Array.isArray(spec.podCIDRs) ? spec.podCIDRs : [];
  const oldCidrs = Array.isArray(before.podCIDRs) ? before.podCIDRs : [];
  if (oldCidrs.length > 0 && (cidrs.length !== oldCidrs.length || oldCidrs.some((v, i) => v !== cidrs[i]))) {
    c.add(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  const providerID = typeof before.providerID === 'string' ? before.providerID : '';
  if (providerID !== '' && spec.providerID !== providerID) {
    c.add(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
}
