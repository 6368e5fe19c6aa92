// The service environment of the 2014 design, as Kubernetes still writes it: for every service of
// the pod's namespace that exists when a container starts (plus `kubernetes` from default),
// `{SVC}_SERVICE_HOST` / `{SVC}_SERVICE_PORT[_{PORT}]` and the Docker-links style `{SVC}_PORT`,
// `{SVC}_PORT_{port}_{PROTO}[_PROTO|_PORT|_ADDR]`; only services the informer has when the
// container is created count. Where the address points is the caller's choice
// (see ServiceAddress): a Docker pod reaches the node proxy on the bridge gateway and the node port,
// a process pod reaches the cluster IP directly.
import type { Service, ServicePort } from '../../api/types.js';
import type { EnvVar } from '../runtime/types.js';

/** Where a container reaches one service port. */
export type ServiceAddress = (service: Service, port: ServicePort) => { host: string; port: number };

/** Cluster IP and service port: right where the cluster IP is reachable from the container. */
export const clusterIpAddress: ServiceAddress = (service, port) => ({
  host: service.spec.clusterIP ?? '',
  port: port.port,
});

/** The node proxy through the pod network's gateway and the node port (cluster IP when none). */
export function gatewayAddress(gatewayIp: string): ServiceAddress {
  return (service, port) =>
    port.nodePort ? { host: gatewayIp, port: port.nodePort } : clusterIpAddress(service, port);
}

function envName(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}

function hasClusterIp(service: Service): boolean {
  const ip = service.spec.clusterIP;
  return Boolean(ip) && ip !== 'None';
}

/** Variables for `services` (see servicesForPod), ordered by service name as Kubernetes does. */
export function serviceEnv(services: readonly Service[], address: ServiceAddress): EnvVar[] {
  const out: EnvVar[] = [];
  const sorted = services
    .filter(hasClusterIp)
    .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const service of sorted) {
    const ports = service.spec.ports ?? [];
    if (ports.length === 0) continue;
    const name = envName(service.metadata.name ?? '');
    const first = address(service, ports[0]!);
    out.push({ name: `${name}_SERVICE_HOST`, value: first.host });
    out.push({ name: `${name}_SERVICE_PORT`, value: String(first.port) });
    for (const port of ports) {
      if (!port.name) continue;
      out.push({
        name: `${name}_SERVICE_PORT_${envName(port.name)}`,
        value: String(address(service, port).port),
      });
    }
    const firstProto = (ports[0]!.protocol ?? 'TCP').toLowerCase();
    out.push({ name: `${name}_PORT`, value: `${firstProto}://${first.host}:${first.port}` });
    for (const port of ports) {
      const protocol = port.protocol ?? 'TCP';
      const reach = address(service, port);
      const prefix = `${name}_PORT_${port.port}_${protocol.toUpperCase()}`;
      out.push({ name: prefix, value: `${protocol.toLowerCase()}://${reach.host}:${reach.port}` });
      out.push({ name: `${prefix}_PROTO`, value: protocol.toLowerCase() });
      out.push({ name: `${prefix}_PORT`, value: String(reach.port) });
      out.push({ name: `${prefix}_ADDR`, value: reach.host });
    }
  }
  return out;
}

/**
 * The services whose variables a pod gets: those of its namespace unless `enableServiceLinks` is
 * false, and `kubernetes` from `default` (the master service) always, as Kubernetes does.
 */
export function servicesForPod(
  namespace: string,
  inNamespace: (ns: string) => readonly Service[],
  enableServiceLinks: boolean,
): Service[] {
  const out = enableServiceLinks ? [...inNamespace(namespace)] : [];
  if (namespace !== 'default' || !enableServiceLinks) {
    const master = inNamespace('default').find((s) => s.metadata.name === 'kubernetes');
    if (master) out.push(master);
  }
  return out;
}
