// RBAC rule evaluation, as Kubernetes' rbac/v1 helpers: whether a PolicyRule allows a request, and
// whether a set of rules covers another (escalation prevention: a user may only grant what they hold).
import type { Attributes } from '../attributes.js';
import type { PolicyRule } from './types.js';

const has = (list: readonly string[] | undefined, value: string): boolean =>
  !!list && (list.includes('*') || list.includes(value));

/** `pods/log` matches "pods/log", "*" and "*\/log"; a main resource matches its name and "*". */
function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

/** A rule with resourceNames only matches requests that name one of them (never create or list). */
function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** "/healthz" matches "/healthz"; "/api/*" matches every path under "/api/"; "*" matches all. */
function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs ?? []) {
    if (url === '*' || url === path) return true;
    if (url.endsWith('*') && path.startsWith(url.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (a.kind === 'nonResource') return nonResourceUrlMatches(rule, a.path);
  return (
    has(rule.apiGroups, a.apiGroup) &&
    resourceMatches(rule, a.resource, a.subresource) &&
    resourceNameMatches(rule, a.name)
  );
}

export function rulesAllow(rules: Iterable<PolicyRule>, a: Attributes): boolean {
  for (const rule of rules) if (ruleAllows(rule, a)) return true;
  return false;
}

/**
 * The rules of `requested` that `owned` does not cover, each broken down to one verb, group,
 * resource (and name, or URL). Kubernetes' validation.Covers: a wildcard in the requested rule is
 * only covered by the same wildcard held.
 */
export function uncoveredRules(owned: readonly PolicyRule[], requested: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of requested) {
    for (const piece of breakdown(rule)) {
      if (!owned.some((o) => covers(o, piece))) missing.push(piece);
    }
  }
  return missing;
}

function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of rule.verbs ?? []) {
    for (const url of rule.nonResourceURLs ?? []) out.push({ verbs: [verb], nonResourceURLs: [url] });
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) out.push({ verbs: [verb], apiGroups: [group], resources: [resource] });
        for (const name of names) {
          out.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name] });
        }
      }
    }
  }
  return out;
}

/** Does `owner` cover the single-valued rule `piece`? */
function covers(owner: PolicyRule, piece: PolicyRule): boolean {
  const verb = piece.verbs[0]!;
  if (!has(owner.verbs, verb)) return false;
  if (piece.nonResourceURLs) {
    const url = piece.nonResourceURLs[0]!;
    return (owner.nonResourceURLs ?? []).some(
      (o) => o === '*' || o === url || (o.endsWith('*') && url.startsWith(o.slice(0, -1))),
    );
  }
  const group = piece.apiGroups![0]!;
  const resource = piece.resources![0]!;
  if (!has(owner.apiGroups, group)) return false;
  const ownerResources = owner.resources ?? [];
  const slash = resource.indexOf('/');
  const resourceCovered =
    ownerResources.includes('*') ||
    ownerResources.includes(resource) ||
    (slash > 0 && ownerResources.includes(`*${resource.slice(slash)}`));
  if (!resourceCovered) return false;
  const ownerNames = owner.resourceNames ?? [];
  if (ownerNames.length === 0) return true;
  const names = piece.resourceNames ?? [];
  return names.length > 0 && ownerNames.includes(names[0]!);
}

/** A rule in the one-line form kubectl and Kubernetes' errors print. */
export function describeRule(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${JSON.stringify(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${JSON.stringify(rule.resources)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${JSON.stringify(rule.resourceNames)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${JSON.stringify(rule.nonResourceURLs)}`);
  parts.push(`Verbs:${JSON.stringify(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}
