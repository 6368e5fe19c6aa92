// Kubernetes v1 defaulting (pkg/apis/core/v1/defaults.go), applied in place to untyped JSON.
// Every default only fills what is missing, so applying it on create and again on update is safe.
// Also fills the server-side values Kubernetes' create strategies set when they are absent (pod
// phase and QoS class, namespace finalizer and phase), writes resource quantities in canonical form
// (as Kubernetes' JSON encoding does: "1000m" is stored as "1") and adds the empty structs Go always
// serializes (`resources: {}`, `status: {}`).
import { type Quantity, quantityFromJSON } from './quantity.js';
import type { KubeObject } from './types.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objectsOf = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const missing = (v: unknown) => v === undefined || v === null;
const missingOrEmpty = (v: unknown) => missing(v) || v === '';

/** obj[key] as an object, created when absent; undefined when it holds something else. */
function ensureObject(obj: Json, key: string): Json | undefined {
  if (missing(obj[key])) obj[key] = {};
  return isObject(obj[key]) ? obj[key] : undefined;
}

function setDefault(obj: Json, key: string, value: unknown): void {
  if (missingOrEmpty(obj[key])) obj[key] = value;
}

/** Rewrites parseable quantities in canonical form; leaves the rest for validation to report. */
function canonicalizeQuantities(list: unknown): void {
  if (!isObject(list)) return;
  for (const [name, value] of Object.entries(list)) {
    const q = tryQuantity(value);
    if (q) list[name] = q.toString();
  }
}

function tryQuantity(value: unknown): Quantity | undefined {
  try {
    return quantityFromJSON(value);
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ containers

/**
 * Always for `:latest` or an untagged image (which means latest), IfNotPresent otherwise — including
 * digests. kubelite has no registry; its kubelet treats Always as IfNotPresent, but the stored
 * default stays Kubernetes'.
 */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image === '') return 'IfNotPresent';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  if (tag === undefined) return at >= 0 ? 'IfNotPresent' : 'Always';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHTTPGet(handler: unknown): void {
  if (!isObject(handler) || !isObject(handler.httpGet)) return;
  setDefault(handler.httpGet, 'path', '/');
  setDefault(handler.httpGet, 'scheme', 'HTTP');
}

function defaultProbe(probe: unknown): void {
  if (!isObject(probe)) return;
  for (const [field, value] of [
    ['timeoutSeconds', 1],
    ['periodSeconds', 10],
    ['successThreshold', 1],
    ['failureThreshold', 3],
  ] as const) {
    if (missing(probe[field]) || probe[field] === 0) probe[field] = value;
  }
  defaultHTTPGet(probe);
}

function defaultContainer(container: Json): void {
  if (missingOrEmpty(container.imagePullPolicy)) {
    container.imagePullPolicy = defaultPullPolicy(typeof container.image === 'string' ? container.image : '');
  }
  setDefault(container, 'terminationMessagePath', '/dev/termination-log');
  setDefault(container, 'terminationMessagePolicy', 'File');
  for (const port of objectsOf(container.ports)) setDefault(port, 'protocol', 'TCP');
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(container[probe]);
  if (isObject(container.lifecycle)) {
    defaultHTTPGet(container.lifecycle.postStart);
    defaultHTTPGet(container.lifecycle.preStop);
  }
  for (const env of objectsOf(container.env)) {
    const from = env.valueFrom;
    if (!isObject(from)) continue;
    if (isObject(from.fieldRef)) setDefault(from.fieldRef, 'apiVersion', 'v1');
    if (isObject(from.resourceFieldRef)) {
      setDefault(from.resourceFieldRef, 'divisor', '0');
      const divisor = tryQuantity(from.resourceFieldRef.divisor);
      if (divisor) from.resourceFieldRef.divisor = divisor.toString();
    }
  }
  const resources = ensureObject(container, 'resources');
  if (resources) {
    canonicalizeQuantities(resources.limits);
    canonicalizeQuantities(resources.requests);
  }
}

// ------------------------------------------------------------------ pods and pod templates

const volumeSourceKeys = (volume: Json) =>
  Object.keys(volume).filter((k) => k !== 'name' && !missing(volume[k]));

/** SetDefaults_PodSpec and what it reaches: the defaults shared by pods and pod templates. */
export function defaultPodSpec(spec: Json): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  if (missing(spec.securityContext)) spec.securityContext = {};
  if (missing(spec.terminationGracePeriodSeconds)) spec.terminationGracePeriodSeconds = 30;
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const volume of objectsOf(spec.volumes)) {
    if (volumeSourceKeys(volume).length === 0) volume.emptyDir = {};
    if (isObject(volume.emptyDir) && !missing(volume.emptyDir.sizeLimit)) {
      const limit = tryQuantity(volume.emptyDir.sizeLimit);
      if (limit) volume.emptyDir.sizeLimit = limit.toString();
    }
  }
  for (const container of [...objectsOf(spec.initContainers), ...objectsOf(spec.containers)]) {
    defaultContainer(container);
  }
}

/** Requests default to limits for every resource that has a limit but no request. */
function defaultRequestsFromLimits(container: Json): void {
  const resources = container.resources;
  if (!isObject(resources) || !isObject(resources.limits)) return;
  if (missing(resources.requests)) resources.requests = {};
  if (!isObject(resources.requests)) return;
  for (const [name, limit] of Object.entries(resources.limits)) {
    if (!(name in resources.requests)) resources.requests[name] = limit;
  }
}

const qosResources = ['cpu', 'memory'];

/** The pod's QoS class as Kubernetes computes it (qos.ComputePodQOS), from defaulted resources. */
export function computeQosClass(pod: KubeObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const accumulate = (into: Map<string, Quantity>, list: unknown, found?: Set<string>) => {
    if (!isObject(list)) return;
    for (const [name, value] of Object.entries(list)) {
      const q = qosResources.includes(name) ? tryQuantity(value) : undefined;
      if (!q || q.sign() <= 0) continue;
      found?.add(name);
      const sum = into.get(name);
      into.set(name, sum ? sum.add(q) : q);
    }
  };
  for (const container of [...objectsOf(spec.containers), ...objectsOf(spec.initContainers)]) {
    const resources = isObject(container.resources) ? container.resources : {};
    accumulate(requests, resources.requests);
    const limitsFound = new Set<string>();
    accumulate(limits, resources.limits, limitsFound);
    if (!qosResources.every((r) => limitsFound.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, request] of requests) {
      const limit = limits.get(name);
      if (limit?.cmp(request) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

function defaultPod(pod: KubeObject): void {
  const spec = ensureObject(pod, 'spec');
  if (spec) {
    defaultPodSpec(spec);
    for (const container of [...objectsOf(spec.containers), ...objectsOf(spec.initContainers)]) {
      defaultRequestsFromLimits(container);
      if (spec.hostNetwork === true) {
        for (const port of objectsOf(container.ports)) {
          if (missing(port.hostPort) || port.hostPort === 0) port.hostPort = port.containerPort;
        }
      }
    }
    if (missing(spec.enableServiceLinks)) spec.enableServiceLinks = true;
  }
  const status = ensureObject(pod, 'status');
  if (status) {
    setDefault(status, 'phase', 'Pending');
    setDefault(status, 'qosClass', computeQosClass(pod));
  }
}

// ------------------------------------------------------------------ other resources

function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

function defaultService(svc: KubeObject): void {
  const spec = ensureObject(svc, 'spec');
  if (spec) {
    setDefault(spec, 'sessionAffinity', 'None');
    if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
    if (spec.sessionAffinity === 'ClientIP') {
      const config = isObject(spec.sessionAffinityConfig) ? spec.sessionAffinityConfig : undefined;
      const clientIP = config && isObject(config.clientIP) ? config.clientIP : undefined;
      if (!clientIP || missing(clientIP.timeoutSeconds)) {
        spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
      }
    }
    setDefault(spec, 'type', 'ClusterIP');
    for (const port of objectsOf(spec.ports)) {
      setDefault(port, 'protocol', 'TCP');
      if (missingOrEmpty(port.targetPort) || port.targetPort === 0) port.targetPort = port.port;
    }
    const type = spec.type;
    const hasExternalIPs = Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0;
    if (type === 'NodePort' || type === 'LoadBalancer' || (type === 'ClusterIP' && hasExternalIPs)) {
      setDefault(spec, 'externalTrafficPolicy', 'Cluster');
    }
    if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP') {
      setDefault(spec, 'internalTrafficPolicy', 'Cluster');
    }
    if (type === 'LoadBalancer' && missing(spec.allocateLoadBalancerNodePorts))
      spec.allocateLoadBalancerNodePorts = true;
    if (type !== 'ExternalName') {
      const clusterIP = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
      if (clusterIP !== '' && clusterIP !== 'None' && missing(spec.clusterIPs)) spec.clusterIPs = [clusterIP];
      if (clusterIP === 'None' && missing(spec.clusterIPs)) spec.clusterIPs = ['None'];
      setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
      if (missing(spec.ipFamilies)) spec.ipFamilies = [isIPv6(clusterIP) ? 'IPv6' : 'IPv4'];
    }
  }
  const status = ensureObject(svc, 'status');
  if (status && missing(status.loadBalancer)) status.loadBalancer = {};
}

function defaultReplicationController(rc: KubeObject): void {
  const spec = ensureObject(rc, 'spec');
  if (spec) {
    const template = isObject(spec.template) ? spec.template : undefined;
    const labels = template && isObject(template.metadata) ? template.metadata.labels : undefined;
    if (isObject(labels)) {
      if (!isObject(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
      const meta = rc.metadata;
      if (!isObject(meta.labels) || Object.keys(meta.labels).length === 0)
        meta.labels = { ...(labels as Json) } as Record<string, string>;
    }
    if (missing(spec.replicas)) spec.replicas = 1;
    if (template) {
      const podSpec = ensureObject(template, 'spec');
      if (podSpec) defaultPodSpec(podSpec);
    }
  }
  const status = ensureObject(rc, 'status');
  if (status && missing(status.replicas)) status.replicas = 0;
}

function defaultNamespace(ns: KubeObject): void {
  const spec = ensureObject(ns, 'spec');
  // Kubernetes adds the finalizer on create only; absent here means a create (updates keep it or []).
  if (spec && missing(spec.finalizers)) spec.finalizers = ['kubernetes'];
  const status = ensureObject(ns, 'status');
  if (status) setDefault(status, 'phase', 'Active');
}

function defaultNode(node: KubeObject): void {
  ensureObject(node, 'spec');
  const status = ensureObject(node, 'status');
  if (!status) return;
  canonicalizeQuantities(status.capacity);
  canonicalizeQuantities(status.allocatable);
  if (missing(status.allocatable) && isObject(status.capacity)) status.allocatable = { ...status.capacity };
}

function defaultEndpoints(ep: KubeObject): void {
  for (const subset of objectsOf(ep.subsets)) {
    for (const port of objectsOf(subset.ports)) setDefault(port, 'protocol', 'TCP');
  }
}

const defaulters: Record<string, (obj: KubeObject) => void> = {
  pods: defaultPod,
  services: defaultService,
  replicationcontrollers: defaultReplicationController,
  namespaces: defaultNamespace,
  nodes: defaultNode,
  endpoints: defaultEndpoints,
  // core/v1 events have no defaults in Kubernetes (count, type and timestamps are the reporter's).
};

/** Fills Kubernetes' defaults in place for an object of `resource` (plural name) on create and update. */
export function applyDefaults(resource: string, obj: KubeObject): void {
  if (!isObject(obj)) return;
  if (!isObject(obj.metadata)) obj.metadata = {};
  defaulters[resource]?.(obj);
}
