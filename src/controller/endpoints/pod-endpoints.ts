// What a pod contributes to a service's endpoints, as Kubernetes decides it: whether it belongs at all
// (ShouldPodBeInEndpoints), its address (IP, node, hostname, a targetRef to the pod), and the port each
// service port resolves to on it (FindPort: a number as is; a name looked up among the pod's container
// ports with the same protocol, so pods may serve one named port on different numbers).
import type { EndpointAddress, EndpointPort, Pod, Service, ServicePort } from '../../api/types.js';
import { isPodReady, isPodTerminal } from '../pods.js';

export function podIP(pod: Pod): string | undefined {
  return pod.status?.podIP || pod.status?.podIPs?.[0]?.ip || undefined;
}

/** Terminal pods and pods without an IP never; terminating pods only when the service asks for all. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!podIP(pod)) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

export function endpointAddress(pod: Pod, service: Service): EndpointAddress {
  const address: EndpointAddress = { ip: podIP(pod)! };
  // A pod's hostname is published when it names this service as its subdomain (headless DNS).
  if (pod.spec.hostname && pod.spec.subdomain === service.metadata.name) address.hostname = pod.spec.hostname;
  if (pod.spec.nodeName) address.nodeName = pod.spec.nodeName;
  address.targetRef = {
    kind: 'Pod',
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    uid: pod.metadata.uid,
  };
  return address;
}

/** The port a service port reaches on this pod, or undefined when a named target port is not found. */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort;
  if (target === undefined || target === 0 || target === '') return servicePort.port;
  if (typeof target === 'number') return target;
  const protocol = servicePort.protocol ?? 'TCP';
  for (const container of pod.spec.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
    }
  }
  return undefined;
}

export function endpointPort(servicePort: ServicePort, port: number): EndpointPort {
  return {
    ...(servicePort.name ? { name: servicePort.name } : {}),
    port,
    protocol: servicePort.protocol ?? 'TCP',
    ...(servicePort.appProtocol ? { appProtocol: servicePort.appProtocol } : {}),
  };
}

/** Ready pods (or all, with publishNotReadyAddresses) serve traffic; the rest are listed as not ready. */
export function servesTraffic(pod: Pod, service: Service): boolean {
  return service.spec.publishNotReadyAddresses === true || isPodReady(pod);
}

/**
 * Everything about a pod the endpoints depend on, as one comparable string: a pod update that leaves
 * it unchanged (most status updates) does not wake the controller.
 */
export function endpointsView(pod: Pod): string {
  return JSON.stringify([
    podIP(pod) ?? '',
    isPodReady(pod),
    isPodTerminal(pod),
    !!pod.metadata.deletionTimestamp,
    pod.spec.nodeName ?? '',
    pod.spec.hostname ?? '',
    pod.spec.subdomain ?? '',
    (pod.spec.containers ?? []).map((c) => c.ports ?? []),
  ]);
}
