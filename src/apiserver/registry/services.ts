// Service cluster IPs and node ports: reserved before a service is stored, released when it leaves
// storage, rebuilt from the stored services at start. A requested value that is taken or out of
// range is a 422 with Kubernetes' cause. The range's first address is reserved from the start for
// `default/kubernetes` (Kubernetes' master service IP): no other service gets it, even while that
// service is deleted and recreated. Node ports go to NodePort and LoadBalancer services (as in
// Kubernetes), or to every port of every service with a cluster IP when `allPorts` is set (kubelite's
// DESIGN: containers reach services through a node port on the bridge gateway).
import { invalid } from '../../api/errors.js';
import type { KubeObject, Service, StatusCause } from '../../api/types.js';
import {
  formatIPv4,
  ipRangeAllocator,
  parseIPv4,
  portRangeAllocator,
  type RangeAllocator,
} from './allocator.js';
import { isKubernetesService } from './kubernetes-service.js';
import { noReservation, type Reservation, type WriteHooks } from './reservation.js';

export interface ServiceAllocatorOptions {
  clusterIPRange: string;
  nodePortRange: { min: number; max: number };
  /** Give every port of every ClusterIP/NodePort/LoadBalancer service a node port. */
  allPorts: boolean;
}

export interface ServiceAllocators {
  readonly ips: RangeAllocator;
  readonly ports: RangeAllocator;
  readonly hooks: WriteHooks;
  /** The first address of the cluster IP range: `default/kubernetes`'s, never handed to another service. */
  readonly kubernetesServiceIP: string;
  /** Marks the values of already-stored services as taken (start-up). */
  restore(services: Iterable<KubeObject>): void;
}

interface Held {
  ips: number[];
  ports: number[];
}

export function createServiceAllocators(options: ServiceAllocatorOptions): ServiceAllocators {
  const ips = ipRangeAllocator(options.clusterIPRange);
  const ports = portRangeAllocator(options.nodePortRange.min, options.nodePortRange.max);
  const rangeText = `${options.nodePortRange.min}-${options.nodePortRange.max}`;
  const masterIP = ips.base;
  ips.allocate(masterIP);
  /** A service other than `default/kubernetes` stored with the master IP before it was reserved. */
  let masterIPHolder: string | undefined;
  const keyOf = (obj: KubeObject) => `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
  const releaseIP = (ip: number, svc: KubeObject) => {
    if (ip !== masterIP) ips.release(ip);
    else if (masterIPHolder === keyOf(svc)) masterIPHolder = undefined;
  };

  const needsClusterIP = (svc: Service) => svc.spec?.type !== 'ExternalName';
  const needsNodePorts = (svc: Service) => {
    const type = svc.spec?.type ?? 'ClusterIP';
    if (type === 'NodePort' || type === 'LoadBalancer') return true;
    return options.allPorts && type === 'ClusterIP' && svc.spec?.clusterIP !== 'None';
  };

  const held = (svc: Service): Held => ({
    ips: (svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []))
      .map((ip) => parseIPv4(ip))
      .filter((ip): ip is number => ip !== undefined),
    ports: (svc.spec?.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p),
  });

  /** Fills and reserves what `svc` needs beyond `keep` (values it already holds). */
  function reserve(obj: KubeObject, keep: Held, dryRun: boolean): Reservation {
    const svc = obj as unknown as Service;
    const spec = svc.spec ?? (svc.spec = {});
    const taken: Array<[RangeAllocator, number]> = [];
    const causes: StatusCause[] = [];
    const rollback = () => {
      for (const [allocator, value] of taken) allocator.release(value);
      taken.length = 0;
    };
    if (needsClusterIP(svc) && spec.clusterIP !== 'None') {
      const requested = spec.clusterIP || spec.clusterIPs?.[0];
      if (requested) {
        const ip = parseIPv4(requested);
        if (ip === undefined) {
          causes.push(ipCause(requested, `failed to allocate IP ${requested}: not a valid IPv4 address`));
        } else if (!keep.ips.includes(ip)) {
          const reservedForIt = ip === masterIP && isKubernetesService(obj) && masterIPHolder === undefined;
          const outcome = reservedForIt ? 'reserved' : ips.allocate(ip);
          if (outcome === 'ok') taken.push([ips, ip]);
          else if (outcome === 'taken')
            causes.push(
              ipCause(requested, `failed to allocate IP ${requested}: provided IP is already allocated`),
            );
          else if (outcome === 'range') {
            causes.push(
              ipCause(
                requested,
                `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${options.clusterIPRange}`,
              ),
            );
          }
        }
      } else {
        const ip = ips.allocateNext();
        if (ip === undefined) causes.push(ipCause('', 'failed to allocate a serviceIP: range is full'));
        else {
          taken.push([ips, ip]);
          spec.clusterIP = formatIPv4(ip);
          spec.clusterIPs = [spec.clusterIP];
        }
      }
      if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
    } else if (spec.clusterIP === 'None') {
      spec.clusterIPs ??= ['None'];
    }
    if (needsNodePorts(svc)) {
      const servicePorts = spec.ports ?? [];
      // Requested ports first, so a dynamically chosen one can never take a port asked for later in the list.
      servicePorts.forEach((port, i) => {
        if (!port.nodePort || keep.ports.includes(port.nodePort)) return;
        const outcome = ports.allocate(port.nodePort);
        if (outcome === 'ok') taken.push([ports, port.nodePort]);
        else {
          causes.push({
            reason: 'FieldValueInvalid',
            field: `spec.ports[${i}].nodePort`,
            message:
              outcome === 'taken'
                ? `Invalid value: ${port.nodePort}: provided port is already allocated`
                : `Invalid value: ${port.nodePort}: provided port is not in the valid range. The range of valid ports is ${rangeText}`,
          });
        }
      });
      servicePorts.forEach((port, i) => {
        if (port.nodePort) return;
        const value = ports.allocateNext();
        if (value === undefined) {
          causes.push({
            reason: 'FieldValueInvalid',
            field: `spec.ports[${i}].nodePort`,
            message: 'Invalid value: range is full',
          });
        } else {
          taken.push([ports, value]);
          port.nodePort = value;
        }
      });
    }
    if (causes.length > 0) {
      rollback();
      throw invalid('Service', svc.metadata.name ?? '', causes);
    }
    if (dryRun) {
      rollback();
      return noReservation;
    }
    return { commit: () => {}, rollback };
  }

  const hooks: WriteHooks = {
    beforeCreate: (obj, dryRun) => reserve(obj, { ips: [], ports: [] }, dryRun),
    beforeUpdate(obj, old, dryRun) {
      const before = held(old as unknown as Service);
      const reservation = reserve(obj, before, dryRun);
      const after = held(obj as unknown as Service);
      return {
        rollback: reservation.rollback,
        commit() {
          reservation.commit();
          if (dryRun) return;
          for (const ip of before.ips) if (!after.ips.includes(ip)) releaseIP(ip, old);
          for (const port of before.ports) if (!after.ports.includes(port)) ports.release(port);
        },
      };
    },
    afterDelete(obj) {
      const gone = held(obj as unknown as Service);
      for (const ip of gone.ips) releaseIP(ip, obj);
      for (const port of gone.ports) ports.release(port);
    },
  };

  return {
    ips,
    ports,
    hooks,
    kubernetesServiceIP: formatIPv4(masterIP),
    restore(services) {
      for (const svc of services) {
        const h = held(svc as unknown as Service);
        for (const ip of h.ips) {
          if (ip !== masterIP) ips.allocate(ip);
          else if (!isKubernetesService(svc)) masterIPHolder = keyOf(svc);
        }
        for (const port of h.ports) ports.allocate(port);
      }
    },
  };
}

function ipCause(ip: string, why: string): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    field: 'spec.clusterIPs',
    message: `Invalid value: []string{"${ip}"}: ${why}`,
  };
}
