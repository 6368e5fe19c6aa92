// Services, after ValidateService and ValidateServiceUpdate in pkg/apis/core/validation.
// The node-port range is the apiserver's (it owns the allocator); here a node port is any valid port.
import { dnsLabelCauses, supportedProtocols, validatePortNumOrName } from './container.js';
import {
  type Causes,
  child,
  duplicate,
  fieldImmutableErrorMsg,
  forbidden,
  GoValue,
  index,
  invalid,
  type Json,
  notSupported,
  required,
} from './field.js';
import { validateLabels } from './meta.js';
import { invalidIPMessage, isDNS1123Subdomain, isValidIP, isValidPortNum } from './names.js';

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const affinities = ['ClientIP', 'None'];
const trafficPolicies = ['Cluster', 'Local'];
const ipFamilyPolicies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const ipFamilies = ['IPv4', 'IPv6'];
const maxClientIPAffinitySeconds = 86400;

/** How Go prints the (protocol, port) key of a duplicated service port. */
function servicePortKey(protocol: string, port: number): GoValue {
  return new GoValue(
    `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, ` +
      'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  );
}

function validatePorts(c: Causes, spec: Json, type: string): void {
  const ports = c.objects(spec, 'ports', 'spec');
  const names = new Set<string>();
  const seenPorts = new Set<string>();
  const seenNodePorts = new Set<string>();
  const requireName = Array.isArray(spec.ports) && spec.ports.length > 1;
  for (const [i, port] of ports) {
    const p = index('spec.ports', i);
    const name = c.string(port, 'name', p) ?? '';
    if (requireName && name === '') c.add(required(child(p, 'name')));
    else if (name !== '') {
      c.add(...dnsLabelCauses(name, child(p, 'name')));
      if (names.has(name)) c.add(duplicate(child(p, 'name'), name));
      else names.add(name);
    }
    const number = c.integer(port, 'port', p) ?? 0;
    for (const msg of isValidPortNum(number)) c.add(invalid(child(p, 'port'), number, msg));
    const protocol = c.string(port, 'protocol', p) ?? '';
    if (protocol === '') c.add(required(child(p, 'protocol')));
    else if (!supportedProtocols.includes(protocol))
      c.add(notSupported(child(p, 'protocol'), protocol, supportedProtocols));
    validatePortNumOrName(c, port.targetPort, child(p, 'targetPort'));
    const nodePort = c.integer(port, 'nodePort', p) ?? 0;
    if (nodePort !== 0) {
      if (type === 'ClusterIP')
        c.add(forbidden(child(p, 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
      for (const msg of isValidPortNum(nodePort)) c.add(invalid(child(p, 'nodePort'), nodePort, msg));
      const nodeKey = `${protocol}/${nodePort}`;
      if (seenNodePorts.has(nodeKey)) c.add(duplicate(child(p, 'nodePort'), nodePort));
      seenNodePorts.add(nodeKey);
    }
    const key = `${protocol}/${number}`;
    if (seenPorts.has(key)) c.add(duplicate(p, servicePortKey(protocol, number)));
    seenPorts.add(key);
  }
}

function validateSessionAffinity(c: Causes, spec: Json): void {
  const affinity = c.string(spec, 'sessionAffinity', 'spec') ?? '';
  if (affinity === '') c.add(required('spec.sessionAffinity'));
  else if (!affinities.includes(affinity)) c.add(notSupported('spec.sessionAffinity', affinity, affinities));
  const config = c.object(spec, 'sessionAffinityConfig', 'spec');
  if (affinity === 'None' && config) {
    c.add(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  if (affinity !== 'ClientIP') return;
  const when = 'when session affinity type is ClientIP';
  if (!config) {
    c.add(required('spec.sessionAffinityConfig', when));
    return;
  }
  const clientIP = c.object(config, 'clientIP', 'spec.sessionAffinityConfig');
  if (!clientIP) {
    c.add(required('spec.sessionAffinityConfig.clientIP', when));
    return;
  }
  const path = 'spec.sessionAffinityConfig.clientIP.timeoutSeconds';
  const timeout = c.integer(clientIP, 'timeoutSeconds', 'spec.sessionAffinityConfig.clientIP');
  if (timeout === undefined) {
    c.add(required(path, when));
    return;
  }
  if (timeout <= 0 || timeout > maxClientIPAffinitySeconds) {
    c.add(invalid(path, timeout, `must be greater than 0 and less than ${maxClientIPAffinitySeconds}`));
  }
}

function validateClusterIPs(c: Causes, spec: Json, type: string): void {
  const clusterIP = c.string(spec, 'clusterIP', 'spec') ?? '';
  if (type === 'ExternalName') {
    if (clusterIP !== '') c.add(forbidden('spec.clusterIP', 'must be empty for ExternalName services'));
  } else if ((type === 'LoadBalancer' || type === 'NodePort') && clusterIP === 'None') {
    c.add(invalid('spec.clusterIP', clusterIP, `may not be set to 'None' for ${type} services`));
  }
  if (clusterIP !== '' && clusterIP !== 'None' && !isValidIP(clusterIP)) {
    c.add(invalid('spec.clusterIP', clusterIP, "must be empty, 'None', or a valid IP address"));
  }
  const clusterIPs = c.strings(spec, 'clusterIPs', 'spec');
  if (clusterIPs.length > 0 && clusterIPs[0] !== clusterIP) {
    c.add(invalid('spec.clusterIPs[0]', clusterIPs[0], 'must be same as `clusterIP`'));
  }
  clusterIPs.slice(1).forEach((ip, i) => {
    if (!isValidIP(ip)) c.add(invalid(`spec.clusterIPs[${i + 1}]`, ip, invalidIPMessage));
  });
  c.strings(spec, 'externalIPs', 'spec').forEach((ip, i) => {
    // Kubernetes also refuses loopback external IPs; kubelite's service addresses are loopback by design.
    if (!isValidIP(ip)) c.add(invalid(`spec.externalIPs[${i}]`, ip, invalidIPMessage));
  });
}

function validatePolicies(c: Causes, spec: Json, type: string): void {
  const external = c.string(spec, 'externalTrafficPolicy', 'spec') ?? '';
  if (external !== '') {
    if (!trafficPolicies.includes(external))
      c.add(notSupported('spec.externalTrafficPolicy', external, trafficPolicies));
    const externallyAccessible =
      type === 'NodePort' ||
      type === 'LoadBalancer' ||
      (type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
    if (!externallyAccessible) {
      c.add(
        invalid('spec.externalTrafficPolicy', external, 'may only be set for externally-accessible services'),
      );
    }
  }
  const internal = c.string(spec, 'internalTrafficPolicy', 'spec') ?? '';
  if (internal !== '' && !trafficPolicies.includes(internal)) {
    c.add(notSupported('spec.internalTrafficPolicy', internal, trafficPolicies));
  }
  const familyPolicy = c.string(spec, 'ipFamilyPolicy', 'spec') ?? '';
  if (familyPolicy !== '' && !ipFamilyPolicies.includes(familyPolicy)) {
    c.add(notSupported('spec.ipFamilyPolicy', familyPolicy, ipFamilyPolicies));
  }
  c.strings(spec, 'ipFamilies', 'spec').forEach((family, i) => {
    if (!ipFamilies.includes(family)) c.add(notSupported(`spec.ipFamilies[${i}]`, family, ipFamilies));
  });
}

export function validateServiceSpec(c: Causes, spec: Json): void {
  const type = c.string(spec, 'type', 'spec') ?? '';
  if (type === '') c.add(required('spec.type'));
  else if (!serviceTypes.includes(type)) c.add(notSupported('spec.type', type, serviceTypes));
  const headless = spec.clusterIP === 'None';
  const hasPorts = Array.isArray(spec.ports) && spec.ports.length > 0;
  if (!hasPorts && !headless && type !== 'ExternalName') c.add(required('spec.ports'));
  if (type === 'ExternalName') {
    const externalName = c.string(spec, 'externalName', 'spec') ?? '';
    if (externalName === '') c.add(required('spec.externalName'));
    else {
      const name = externalName.endsWith('.') ? externalName.slice(0, -1) : externalName;
      for (const msg of isDNS1123Subdomain(name)) c.add(invalid('spec.externalName', externalName, msg));
    }
  }
  validatePorts(c, spec, type);
  validateLabels(c, c.stringMap(spec, 'selector', 'spec'), 'spec.selector');
  validateSessionAffinity(c, spec);
  validateClusterIPs(c, spec, type);
  validatePolicies(c, spec, type);
}

/** Once allocated, a cluster IP stays (for every type but ExternalName). */
export function validateServiceSpecUpdate(c: Causes, spec: Json, old: Json): void {
  if (spec.type === 'ExternalName' || old.type === 'ExternalName') return;
  const oldIP = typeof old.clusterIP === 'string' ? old.clusterIP : '';
  if (oldIP === '') return;
  const ip = spec.clusterIP ?? '';
  if (ip !== oldIP) c.add(invalid('spec.clusterIP', ip, fieldImmutableErrorMsg));
  const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
  const oldIPs = Array.isArray(old.clusterIPs) ? old.clusterIPs : [];
  if (oldIPs.length > 0 && ips.length > 0 && ips[0] !== oldIPs[0]) {
    c.add(invalid('spec.clusterIPs[0]', ips[0], fieldImmutableErrorMsg));
  }
}
