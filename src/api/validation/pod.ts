// Pods and pod specs (also the templates of replication controllers), after ValidatePodSpec and
// ValidatePodUpdate in pkg/apis/core/validation.
import { quantityFormatMessage, quantityFromJSON } from '../quantity.js';
import { dnsLabelCauses, validateContainerCommon, validateProbesAndLifecycle } from './container.js';
import { diffLines, semanticEqual } from './equality.js';
import {
  type Causes,
  child,
  duplicate,
  forbidden,
  index,
  invalid,
  isObject,
  type Json,
  notSupported,
  objectItems,
  required,
} from './field.js';
import { validateLabels } from './meta.js';
import { inclusiveRangeError, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './names.js';

export const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const maxInt32 = 2147483647;

/** Volumes: unique DNS-label names, exactly one source each. Returns the names mounts may use. */
function validateVolumes(c: Causes, spec: Json, path: string): Set<string> {
  const names = new Set<string>();
  for (const [i, volume] of c.objects(spec, 'volumes', path)) {
    const p = index(child(path, 'volumes'), i);
    const before = c.list.length;
    const sources = Object.keys(volume).filter(
      (k) => k !== 'name' && volume[k] !== undefined && volume[k] !== null,
    );
    if (sources.length === 0) c.add(required(p, 'must specify a volume type'));
    for (const extra of sources.slice(1))
      c.add(forbidden(child(p, extra), 'may not specify more than 1 volume type'));
    const hostPath = c.object(volume, 'hostPath', p);
    if (hostPath && (c.string(hostPath, 'path', child(p, 'hostPath')) ?? '') === '') {
      c.add(required(child(child(p, 'hostPath'), 'path')));
    }
    const sizeLimit = c.object(volume, 'emptyDir', p)?.sizeLimit;
    if (sizeLimit !== undefined) {
      try {
        if (quantityFromJSON(sizeLimit).sign() < 0) {
          c.add(
            forbidden(
              child(child(p, 'emptyDir'), 'sizeLimit'),
              'SizeLimit field must be a valid resource quantity',
            ),
          );
        }
      } catch {
        c.add(invalid(child(child(p, 'emptyDir'), 'sizeLimit'), sizeLimit, quantityFormatMessage));
      }
    }
    const name = c.string(volume, 'name', p) ?? '';
    if (name === '') c.add(required(child(p, 'name')));
    else c.add(...dnsLabelCauses(name, child(p, 'name')));
    if (names.has(name)) c.add(duplicate(child(p, 'name'), name));
    if (c.list.length === before) names.add(name);
  }
  return names;
}

/** No two containers may claim the same protocol/hostIP/hostPort. */
function checkHostPortConflicts(c: Causes, containers: Array<[number, Json]>, path: string): void {
  const seen = new Set<string>();
  for (const [ci, container] of containers) {
    const ports = Array.isArray(container.ports) ? container.ports : [];
    ports.forEach((port: unknown, pi: number) => {
      if (!isObject(port) || !port.hostPort) return;
      const claim = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${port.hostPort}`;
      const p = child(index(child(index(path, ci), 'ports'), pi), 'hostPort');
      if (seen.has(claim)) c.add(duplicate(p, claim));
      else seen.add(claim);
    });
  }
}

function validateTolerations(c: Causes, spec: Json, path: string): void {
  for (const [i, t] of c.objects(spec, 'tolerations', path)) {
    const p = index(child(path, 'tolerations'), i);
    const key = c.string(t, 'key', p) ?? '';
    const operator = c.string(t, 'operator', p) ?? '';
    const value = c.string(t, 'value', p) ?? '';
    const effect = c.string(t, 'effect', p) ?? '';
    if (key !== '') for (const msg of isQualifiedName(key)) c.add(invalid(child(p, 'key'), key, msg));
    if (key === '' && operator !== 'Exists') {
      c.add(
        invalid(
          child(p, 'operator'),
          operator,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (c.integer(t, 'tolerationSeconds', p) !== undefined && effect !== 'NoExecute') {
      c.add(
        invalid(child(p, 'effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"),
      );
    }
    if (operator === 'Equal' || operator === '') {
      const errs = isValidLabelValue(value);
      if (errs.length > 0) c.add(invalid(child(p, 'operator'), value, errs.join(';')));
    } else if (operator === 'Exists') {
      if (value !== '')
        c.add(invalid(child(p, 'operator'), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      c.add(notSupported(child(p, 'operator'), operator, ['Equal', 'Exists']));
    }
    if (effect !== '' && !taintEffects.includes(effect))
      c.add(notSupported(child(p, 'effect'), effect, taintEffects));
  }
}

function validateContainers(
  c: Causes,
  spec: Json,
  volumes: ReadonlySet<string>,
  path: string,
  isPod: boolean,
): void {
  const p = child(path, 'containers');
  const containers = c.objects(spec, 'containers', path);
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
    c.add(required(p));
    return;
  }
  const names = new Set<string>();
  for (const [i, container] of containers) {
    const cp = index(p, i);
    validateContainerCommon(c, container, volumes, cp, isPod);
    const name = typeof container.name === 'string' ? container.name : '';
    if (names.has(name)) c.add(duplicate(child(cp, 'name'), name));
    else names.add(name);
    validateProbesAndLifecycle(c, container, cp);
    if (container.restartPolicy !== undefined) {
      c.add(forbidden(child(cp, 'restartPolicy'), 'may not be set for non-init containers'));
    }
  }
  checkHostPortConflicts(c, containers, p);
}

function validateInitContainers(
  c: Causes,
  spec: Json,
  volumes: ReadonlySet<string>,
  path: string,
  isPod: boolean,
): void {
  const p = child(path, 'initContainers');
  const names = new Set<string>();
  for (const [, container] of objectItems(spec.containers)) {
    if (typeof container.name === 'string') names.add(container.name);
  }
  for (const [i, container] of c.objects(spec, 'initContainers', path)) {
    const cp = index(p, i);
    validateContainerCommon(c, container, volumes, cp, isPod);
    const restartPolicy = c.string(container, 'restartPolicy', cp);
    if (restartPolicy !== undefined && restartPolicy !== 'Always') {
      c.add(notSupported(child(cp, 'restartPolicy'), restartPolicy, ['Always']));
    }
    const name = typeof container.name === 'string' ? container.name : '';
    if (names.has(name)) c.add(duplicate(child(cp, 'name'), name));
    else if (name !== '') names.add(name);
    // Init containers run one at a time, so only ports within one of them can conflict.
    checkHostPortConflicts(c, [[i, container]], p);
    if (restartPolicy === 'Always') {
      validateProbesAndLifecycle(c, container, cp);
    } else {
      for (const field of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (container[field] !== undefined && container[field] !== null) {
          c.add(
            forbidden(child(cp, field), 'may not be set for init containers without restartPolicy=Always'),
          );
        }
      }
    }
  }
}

/** With hostNetwork, a pod's host ports are its container ports. */
function validateHostNetworkPorts(c: Causes, spec: Json, path: string, isPod: boolean): void {
  if (spec.hostNetwork !== true) return;
  for (const [ci, container] of objectItems(spec.containers)) {
    const ports = Array.isArray(container.ports) ? container.ports : [];
    ports.forEach((port: unknown, pi: number) => {
      if (!isObject(port)) return;
      const hostPort = port.hostPort ?? 0;
      if ((isPod || hostPort !== 0) && hostPort !== port.containerPort) {
        const p = child(index(child(index(child(path, 'containers'), ci), 'ports'), pi), 'hostPort');
        c.add(invalid(p, hostPort, 'must match `containerPort` when `hostNetwork` is true'));
      }
    });
  }
}

function validateEnumField(
  c: Causes,
  spec: Json,
  name: string,
  path: string,
  values: readonly string[],
): void {
  const value = c.string(spec, name, path) ?? '';
  if (value === '') c.add(required(child(path, name)));
  else if (!values.includes(value)) c.add(notSupported(child(path, name), value, values));
}

/** ValidatePodSpec; `isPod` adds the checks Kubernetes applies to pods but not to templates. */
export function validatePodSpec(c: Causes, spec: Json, path: string, isPod: boolean): void {
  if (c.integer(spec, 'terminationGracePeriodSeconds', path) === undefined) {
    c.add(required(child(path, 'terminationGracePeriodSeconds')));
  }
  const volumes = validateVolumes(c, spec, path);
  validateContainers(c, spec, volumes, path, isPod);
  validateInitContainers(c, spec, volumes, path, isPod);
  validateHostNetworkPorts(c, spec, path, isPod);
  validateEnumField(c, spec, 'restartPolicy', path, restartPolicies);
  validateEnumField(c, spec, 'dnsPolicy', path, dnsPolicies);
  validateLabels(c, c.stringMap(spec, 'nodeSelector', path), child(path, 'nodeSelector'));
  for (const [i, secret] of c.objects(spec, 'imagePullSecrets', path)) {
    if (Object.keys(secret).some((k) => k !== 'name')) {
      c.add(invalid(index(child(path, 'imagePullSecrets'), i), secret, 'only name may be set'));
    }
  }
  for (const field of ['serviceAccountName', 'nodeName']) {
    const value = c.string(spec, field, path) ?? '';
    if (value !== '')
      for (const msg of isDNS1123Subdomain(value)) c.add(invalid(child(path, field), value, msg));
  }
  const deadline = c.integer(spec, 'activeDeadlineSeconds', path);
  if (deadline !== undefined && (deadline < 1 || deadline > maxInt32)) {
    c.add(invalid(child(path, 'activeDeadlineSeconds'), deadline, inclusiveRangeError(1, maxInt32)));
  }
  for (const field of ['hostname', 'subdomain']) {
    const value = c.string(spec, field, path) ?? '';
    if (value !== '') c.add(...dnsLabelCauses(value, child(path, field)));
  }
  validateTolerations(c, spec, path);
}

export const updatablePodSpecFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** ValidatePodUpdate's spec rules: only images, the deadline, toleration additions and gate removals. */
export function validatePodSpecUpdate(c: Causes, spec: Json, old: Json): void {
  for (const list of ['containers', 'initContainers']) {
    if (asArray(spec[list]).length !== asArray(old[list]).length) {
      c.add(forbidden(`spec.${list}`, 'pod updates may not add or remove containers'));
      return;
    }
  }
  const deadline = typeof spec.activeDeadlineSeconds === 'number' ? spec.activeDeadlineSeconds : undefined;
  const oldDeadline = typeof old.activeDeadlineSeconds === 'number' ? old.activeDeadlineSeconds : undefined;
  if (deadline !== undefined) {
    if (deadline < 0 || deadline > maxInt32) {
      c.add(invalid('spec.activeDeadlineSeconds', deadline, inclusiveRangeError(0, maxInt32)));
      return;
    }
    if (oldDeadline !== undefined && oldDeadline < deadline) {
      c.add(invalid('spec.activeDeadlineSeconds', deadline, 'must be less than or equal to previous value'));
      return;
    }
  } else if (oldDeadline !== undefined) {
    c.add(
      invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'),
    );
  }
  validateOnlyAddedTolerations(c, asArray(spec.tolerations), asArray(old.tolerations));
  validateOnlyDeletedSchedulingGates(c, asArray(spec.schedulingGates), asArray(old.schedulingGates));

  if (semanticEqual(spec, old)) return;
  // Take the updatable fields from the old spec; whatever still differs is forbidden.
  const munged: Json = structuredClone(spec);
  for (const list of ['containers', 'initContainers']) {
    asArray(munged[list]).forEach((container, i) => {
      const before = asArray(old[list])[i];
      if (isObject(container)) container.image = isObject(before) ? before.image : undefined;
    });
  }
  munged.activeDeadlineSeconds = old.activeDeadlineSeconds;
  munged.tolerations = old.tolerations;
  munged.schedulingGates = old.schedulingGates;
  const oldGrace = old.terminationGracePeriodSeconds;
  if (typeof oldGrace === 'number' && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldGrace;
  }
  if (!semanticEqual(munged, old)) {
    const diff = diffLines(old, munged, 'spec').join('\n');
    c.add(
      forbidden(
        'spec',
        `pod updates may not change fields other than ${updatablePodSpecFields.join(',')}\n${diff}`,
      ),
    );
  }
}

function validateOnlyAddedTolerations(c: Causes, tolerations: unknown[], old: unknown[]): void {
  for (const before of old) {
    const found = tolerations.some(
      (t) =>
        isObject(t) &&
        isObject(before) &&
        semanticEqual({ ...before, tolerationSeconds: t.tolerationSeconds }, t),
    );
    if (!found) {
      c.add(
        forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'),
      );
      return;
    }
  }
}

function validateOnlyDeletedSchedulingGates(c: Causes, gates: unknown[], old: unknown[]): void {
  const before = new Set(old.map((g) => (isObject(g) ? g.name : undefined)));
  gates.forEach((gate, i) => {
    const name = isObject(gate) ? gate.name : undefined;
    if (!before.has(name)) {
      c.add(
        forbidden(
          `spec.schedulingGates[${i}].name`,
          `only deletion is allowed, but found new scheduling gate '${String(name)}'`,
        ),
      );
    }
  });
}
