// Endpoints, after ValidateEndpoints. Unlike Kubernetes, loopback addresses are accepted: the process
// runtime gives pods loopback IPs (127.x.y.z) by design.
import { dnsLabelCauses, supportedProtocols } from './container.js';
import { type Causes, index, invalid, type Json, notSupported, required } from './field.js';
import { invalidIPMessage, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidPortNum } from './names.js';

function validateAddress(c: Causes, address: Json, path: string): void {
  const ip = c.string(address, 'ip', path) ?? '';
  if (!isValidIP(ip)) c.add(invalid(`${path}.ip`, ip, invalidIPMessage));
  else if (ip === '0.0.0.0' || ip === '::')
    c.add(invalid(`${path}.ip`, ip, `may not be unspecified (${ip})`));
  const hostname = c.string(address, 'hostname', path) ?? '';
  if (hostname !== '') c.add(...dnsLabelCauses(hostname, `${path}.hostname`));
  const nodeName = c.string(address, 'nodeName', path);
  if (nodeName !== undefined) {
    for (const msg of isDNS1123Subdomain(nodeName)) c.add(invalid(`${path}.nodeName`, nodeName, msg));
  }
}

export function validateEndpointSubsets(c: Causes, obj: Json): void {
  for (const [i, subset] of c.objects(obj, 'subsets', '')) {
    const p = index('subsets', i);
    const addresses = c.objects(subset, 'addresses', p);
    const notReady = c.objects(subset, 'notReadyAddresses', p);
    if (addresses.length === 0 && notReady.length === 0) {
      c.add(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const [j, a] of addresses) validateAddress(c, a, index(`${p}.addresses`, j));
    for (const [j, a] of notReady) validateAddress(c, a, index(`${p}.notReadyAddresses`, j));
    const ports = c.objects(subset, 'ports', p);
    for (const [j, port] of ports) {
      const pp = index(`${p}.ports`, j);
      const name = c.string(port, 'name', pp) ?? '';
      if (ports.length > 1 && name === '') c.add(required(`${pp}.name`));
      else if (name !== '') c.add(...dnsLabelCauses(name, `${pp}.name`));
      const number = c.integer(port, 'port', pp) ?? 0;
      for (const msg of isValidPortNum(number)) c.add(invalid(`${pp}.port`, number, msg));
      const protocol = c.string(port, 'protocol', pp) ?? '';
      if (protocol === '') c.add(required(`${pp}.protocol`));
      else if (!supportedProtocols.includes(protocol))
        c.add(notSupported(`${pp}.protocol`, protocol, supportedProtocols));
      const appProtocol = c.string(port, 'appProtocol', pp);
      if (appProtocol !== undefined) {
        for (const msg of isQualifiedName(appProtocol)) c.add(invalid(`${pp}.appProtocol`, appProtocol, msg));
      }
    }
  }
}
