// One container's fields, as ValidatePodSpec checks them in pkg/apis/core/validation: name, image,
// ports, env, volume mounts, pull policy, resources, probes and lifecycle handlers.
import { type Quantity, quantityFormatMessage, quantityFromJSON } from '../quantity.js';
import {
  type Causes,
  child,
  duplicate,
  forbidden,
  index,
  invalid,
  isNegativeErrorMsg,
  type Json,
  key,
  notFound,
  notSupported,
  required,
} from './field.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
} from './names.js';

export const supportedProtocols = ['SCTP', 'TCP', 'UDP'];
const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const terminationMessagePolicies = ['File', 'FallbackToLogsOnError'];
const httpSchemes = ['HTTP', 'HTTPS'];
const envFieldPaths = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const resourceFieldRefs = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];

export function dnsLabelCauses(value: string, path: string): ReturnType<typeof invalid>[] {
  return isDNS1123Label(value).map((msg) => invalid(path, value, msg));
}

/** A port given as a number (1–65535) or as an IANA service name; absent counts as 0. */
export function validatePortNumOrName(c: Causes, port: unknown, path: string): void {
  if (typeof port === 'string') {
    for (const msg of isValidPortName(port)) c.add(invalid(path, port, msg));
  } else if (port === undefined || port === null || Number.isInteger(port)) {
    const n = (port as number | undefined | null) ?? 0;
    for (const msg of isValidPortNum(n)) c.add(invalid(path, n, msg));
  } else {
    c.add(invalid(path, port, 'must be an integer or a string'));
  }
}

function validateContainerPorts(c: Causes, container: Json, path: string): void {
  const names = new Set<string>();
  for (const [i, port] of c.objects(container, 'ports', path)) {
    const p = index(child(path, 'ports'), i);
    const name = c.string(port, 'name', p) ?? '';
    if (name !== '') {
      const msgs = isValidPortName(name);
      for (const msg of msgs) c.add(invalid(child(p, 'name'), name, msg));
      if (msgs.length === 0) {
        if (names.has(name)) c.add(duplicate(child(p, 'name'), name));
        else names.add(name);
      }
    }
    const containerPort = c.integer(port, 'containerPort', p) ?? 0;
    if (containerPort === 0) c.add(required(child(p, 'containerPort')));
    else
      for (const msg of isValidPortNum(containerPort))
        c.add(invalid(child(p, 'containerPort'), containerPort, msg));
    const hostPort = c.integer(port, 'hostPort', p) ?? 0;
    if (hostPort !== 0)
      for (const msg of isValidPortNum(hostPort)) c.add(invalid(child(p, 'hostPort'), hostPort, msg));
    const protocol = c.string(port, 'protocol', p) ?? '';
    if (protocol === '') c.add(required(child(p, 'protocol')));
    else if (!supportedProtocols.includes(protocol))
      c.add(notSupported(child(p, 'protocol'), protocol, supportedProtocols));
  }
}

function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(value)) {
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  }
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function validateKeySelector(c: Causes, ref: Json, path: string): void {
  const name = c.string(ref, 'name', path) ?? '';
  for (const msg of isDNS1123Subdomain(name)) c.add(invalid(child(path, 'name'), name, msg));
  const k = c.string(ref, 'key', path) ?? '';
  if (k === '') c.add(required(child(path, 'key')));
  else for (const msg of isConfigMapKey(k)) c.add(invalid(child(path, 'key'), k, msg));
}

function validateFieldRef(c: Causes, ref: Json, path: string): void {
  if ((c.string(ref, 'apiVersion', path) ?? '') === '') {
    c.add(required(child(path, 'apiVersion')));
    return;
  }
  const fieldPath = c.string(ref, 'fieldPath', path) ?? '';
  if (fieldPath === '') {
    c.add(required(child(path, 'fieldPath')));
    return;
  }
  const subscripted = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fieldPath);
  if (subscripted) {
    const k = subscripted[1] === 'metadata.annotations' ? subscripted[2]!.toLowerCase() : subscripted[2]!;
    for (const msg of isQualifiedName(k)) c.add(invalid(path, k, msg));
  } else if (!envFieldPaths.includes(fieldPath)) {
    c.add(notSupported(child(path, 'fieldPath'), fieldPath, envFieldPaths));
  }
}

function validateEnv(c: Causes, container: Json, path: string): void {
  for (const [i, env] of c.objects(container, 'env', path)) {
    const p = index(child(path, 'env'), i);
    const name = c.string(env, 'name', p) ?? '';
    if (name === '') c.add(required(child(p, 'name')));
    else for (const msg of isRelaxedEnvVarName(name)) c.add(invalid(child(p, 'name'), name, msg));
    const from = c.object(env, 'valueFrom', p);
    if (!from) continue;
    const fromPath = child(p, 'valueFrom');
    let sources = 0;
    const fieldRef = c.object(from, 'fieldRef', fromPath);
    if (fieldRef) {
      sources++;
      validateFieldRef(c, fieldRef, child(fromPath, 'fieldRef'));
    }
    const resourceRef = c.object(from, 'resourceFieldRef', fromPath);
    if (resourceRef) {
      sources++;
      const rp = child(fromPath, 'resourceFieldRef');
      const resource = c.string(resourceRef, 'resource', rp) ?? '';
      if (resource === '') c.add(required(child(rp, 'resource')));
      else if (!resourceFieldRefs.includes(resource))
        c.add(notSupported(child(rp, 'resource'), resource, resourceFieldRefs));
    }
    for (const selector of ['configMapKeyRef', 'secretKeyRef']) {
      const ref = c.object(from, selector, fromPath);
      if (!ref) continue;
      sources++;
      validateKeySelector(c, ref, child(fromPath, selector));
    }
    if (sources === 0) {
      c.add(
        invalid(
          fromPath,
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    } else if ((c.string(env, 'value', p) ?? '') !== '') {
      c.add(invalid(fromPath, '', 'may not be specified when `value` is not empty'));
    } else if (sources > 1) {
      c.add(invalid(fromPath, '', 'may not have more than one field specified at a time'));
    }
  }
}

function validateVolumeMounts(c: Causes, container: Json, volumes: ReadonlySet<string>, path: string): void {
  const mountPaths = new Set<string>();
  for (const [i, mount] of c.objects(container, 'volumeMounts', path)) {
    const p = index(child(path, 'volumeMounts'), i);
    const name = c.string(mount, 'name', p) ?? '';
    if (name === '') c.add(required(child(p, 'name')));
    if (!volumes.has(name)) c.add(notFound(child(p, 'name'), name));
    const mountPath = c.string(mount, 'mountPath', p) ?? '';
    if (mountPath === '') c.add(required(child(p, 'mountPath')));
    if (mountPaths.has(mountPath)) c.add(invalid(child(p, 'mountPath'), mountPath, 'must be unique'));
    mountPaths.add(mountPath);
    const subPath = c.string(mount, 'subPath', p) ?? '';
    if (subPath.startsWith('/')) c.add(invalid(child(p, 'subPath'), subPath, 'must be a relative path'));
    if (subPath.split('/').includes('..'))
      c.add(invalid(child(p, 'subPath'), subPath, "must not contain '..'"));
  }
}

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** hugepages and extended resources cannot be overcommitted: requests must equal limits. */
function overcommitAllowed(name: string): boolean {
  return !name.startsWith('hugepages-') && (!name.includes('/') || name.includes('kubernetes.io/'));
}

function validateResourceName(c: Causes, name: string, path: string): boolean {
  const msgs = isQualifiedName(name);
  for (const msg of msgs) c.add(invalid(path, name, msg));
  if (msgs.length > 0) return false;
  if (!name.includes('/') && !standardContainerResources.has(name) && !name.startsWith('hugepages-')) {
    c.add(invalid(path, name, 'must be a standard resource for containers'));
    return false;
  }
  return true;
}

/** Parses a resource list, reporting names and quantities; returns the valid entries. */
export function validateResourceList(c: Causes, list: Json | undefined, path: string): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const [name, raw] of Object.entries(list ?? {})) {
    const p = key(path, name);
    const nameOk = validateResourceName(c, name, p);
    let q: Quantity;
    try {
      q = quantityFromJSON(raw);
    } catch {
      c.add(invalid(p, raw, quantityFormatMessage));
      continue;
    }
    if (q.sign() < 0) c.add(invalid(p, q.toString(), isNegativeErrorMsg));
    if (name.includes('/') && !name.includes('kubernetes.io/') && q.milliValue() % 1000n !== 0n) {
      c.add(invalid(p, q.toString(), 'must be an integer'));
    }
    if (nameOk) out.set(name, q);
  }
  return out;
}

function validateResources(c: Causes, container: Json, path: string): void {
  const resources = c.object(container, 'resources', path);
  const p = child(path, 'resources');
  const limitsPath = child(p, 'limits');
  const requestsPath = child(p, 'requests');
  const limits = validateResourceList(c, c.object(resources, 'limits', p), limitsPath);
  const requests = validateResourceList(c, c.object(resources, 'requests', p), requestsPath);
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (limit) {
      if (!overcommitAllowed(name) && request.cmp(limit) !== 0) {
        c.add(
          invalid(requestsPath, request.toString(), `must be equal to ${name} limit of ${limit.toString()}`),
        );
      } else if (request.cmp(limit) > 0) {
        c.add(
          invalid(
            requestsPath,
            request.toString(),
            `must be less than or equal to ${name} limit of ${limit.toString()}`,
          ),
        );
      }
    } else if (!overcommitAllowed(name)) {
      c.add(required(limitsPath, 'Limit must be set for non overcommitable resources'));
    }
  }
}

/** A probe or lifecycle handler must name exactly one action. */
function validateHandler(c: Causes, handler: Json, path: string, kinds: readonly string[]): void {
  let handlers = 0;
  for (const kind of kinds) {
    const action = c.object(handler, kind, path);
    if (!action) continue;
    const p = child(path, kind);
    if (handlers > 0) {
      c.add(forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    handlers++;
    if (kind === 'exec') {
      if (c.strings(action, 'command', p).length === 0) c.add(required(child(p, 'command')));
    } else if (kind === 'httpGet') {
      if ((c.string(action, 'path', p) ?? '') === '') c.add(required(child(p, 'path')));
      validatePortNumOrName(c, action.port, child(p, 'port'));
      const scheme = c.string(action, 'scheme', p) ?? '';
      if (!httpSchemes.includes(scheme)) c.add(notSupported(child(p, 'scheme'), scheme, httpSchemes));
    } else if (kind === 'tcpSocket') {
      validatePortNumOrName(c, action.port, child(p, 'port'));
    } else if (kind === 'grpc') {
      validatePortNumOrName(c, c.integer(action, 'port', p) ?? 0, child(p, 'port'));
    } else if (kind === 'sleep') {
      const seconds = c.integer(action, 'seconds', p) ?? 0;
      if (seconds < 0) c.add(invalid(child(p, 'seconds'), seconds, isNegativeErrorMsg));
    }
  }
  if (handlers === 0) c.add(required(path, 'must specify a handler type'));
}

const probeHandlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const lifecycleHandlers = ['exec', 'httpGet', 'tcpSocket', 'sleep'];

function validateProbe(c: Causes, container: Json, name: string, path: string): void {
  const probe = c.object(container, name, path);
  if (!probe) return;
  const p = child(path, name);
  validateHandler(c, probe, p, probeHandlers);
  for (const field of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ]) {
    const v = c.integer(probe, field, p) ?? 0;
    if (v < 0) c.add(invalid(child(p, field), v, isNegativeErrorMsg));
  }
  const grace = c.integer(probe, 'terminationGracePeriodSeconds', p);
  if (name === 'readinessProbe') {
    if (grace !== undefined)
      c.add(invalid(child(p, 'terminationGracePeriodSeconds'), grace, 'must not be set for readinessProbes'));
  } else {
    if (grace !== undefined && grace <= 0)
      c.add(invalid(child(p, 'terminationGracePeriodSeconds'), grace, 'must be greater than 0'));
    const success = c.integer(probe, 'successThreshold', p) ?? 0;
    if (success !== 1) c.add(invalid(child(p, 'successThreshold'), success, 'must be 1'));
  }
}

/** Probes and lifecycle: allowed on regular containers and on restartable (sidecar) init containers. */
export function validateProbesAndLifecycle(c: Causes, container: Json, path: string): void {
  const lifecycle = c.object(container, 'lifecycle', path);
  for (const hook of ['postStart', 'preStop']) {
    const handler = c.object(lifecycle, hook, child(path, 'lifecycle'));
    if (handler) validateHandler(c, handler, child(child(path, 'lifecycle'), hook), lifecycleHandlers);
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'])
    validateProbe(c, container, probe, path);
}

/** What every container kind must satisfy (validateContainerCommon), plus pod-only image rules. */
export function validateContainerCommon(
  c: Causes,
  container: Json,
  volumes: ReadonlySet<string>,
  path: string,
  isPod: boolean,
): void {
  const name = c.string(container, 'name', path) ?? '';
  if (name === '') c.add(required(child(path, 'name')));
  else c.add(...dnsLabelCauses(name, child(path, 'name')));
  const image = c.string(container, 'image', path) ?? '';
  if (image === '') c.add(required(child(path, 'image')));
  else if (isPod && image.trim() !== image) {
    c.add(invalid(child(path, 'image'), image, 'must not have leading or trailing whitespace'));
  }
  const policy = c.string(container, 'terminationMessagePolicy', path) ?? '';
  if (policy === '') c.add(required(child(path, 'terminationMessagePolicy')));
  else if (!terminationMessagePolicies.includes(policy)) {
    c.add(notSupported(child(path, 'terminationMessagePolicy'), policy, terminationMessagePolicies));
  }
  validateContainerPorts(c, container, path);
  validateEnv(c, container, path);
  validateVolumeMounts(c, container, volumes, path);
  const pull = c.string(container, 'imagePullPolicy', path) ?? '';
  if (pull === '') c.add(required(child(path, 'imagePullPolicy')));
  else if (!pullPolicies.includes(pull))
    c.add(notSupported(child(path, 'imagePullPolicy'), pull, pullPolicies));
  validateResources(c, container, path);
}
