// core/v1 Service, ReplicationController, Endpoints, Node, Namespace, Event and autoscaling/v1 Scale.
import { docs } from './docs.js';
import {
  arr,
  atomicList,
  bool,
  coreGvk,
  coreV1,
  int32,
  listOf,
  mergedList,
  metaV1,
  obj,
  quantityMap,
  ref,
  type Schema,
  str,
  strList,
  strMap,
  time,
  typeMeta,
} from './schema.js';

const c = (name: string) => `${coreV1}${name}`;
const specStatus = (kind: string, what: string) => ({
  ...typeMeta(),
  spec: ref(
    c(`${kind}Spec`),
    `Spec defines the ${what}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status`,
  ),
  status: ref(
    c(`${kind}Status`),
    `Status is the most recently observed status of the ${kind}. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status`,
  ),
});

const condition = (of: string, extra: Record<string, Schema> = {}) =>
  obj(
    `${of}Condition describes the state of a ${of.toLowerCase()} at a certain point.`,
    {
      lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
      message: str('A human readable message indicating details about the transition.'),
      reason: str("The reason for the condition's last transition."),
      status: str('Status of the condition, one of True, False, Unknown.'),
      type: str(`Type of ${of.toLowerCase()} condition.`),
      ...extra,
    },
    { required: ['type', 'status'] },
  );

export const coreSchemas: Record<string, Schema> = {
  // ---------------------------------------------------------------- Service
  [c('Service')]: obj(
    'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
    specStatus('Service', 'behavior of a service'),
    { gvk: coreGvk('Service') },
  ),
  [c('ServiceList')]: listOf('Service', 'List of services'),
  [c('ServiceSpec')]: obj('ServiceSpec describes the attributes that a user creates on a service.', {
    allocateLoadBalancerNodePorts: bool(
      'allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer.',
    ),
    clusterIP: str(docs['ServiceSpec.clusterIP']),
    clusterIPs: strList(
      'ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly. If this field is not specified, it will be initialized from the clusterIP field.',
    ),
    externalIPs: strList(docs['ServiceSpec.externalIPs']),
    externalName: str(
      'externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g. a DNS CNAME record). Requires `type` to be "ExternalName".',
    ),
    externalTrafficPolicy: str(
      'externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service\'s "externally-facing" addresses (NodePorts, ExternalIPs, and LoadBalancer IPs).',
    ),
    healthCheckNodePort: int32('healthCheckNodePort specifies the healthcheck nodePort for the service.'),
    internalTrafficPolicy: str(
      'InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP.',
    ),
    ipFamilies: strList('IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service.'),
    ipFamilyPolicy: str(
      'IPFamilyPolicy represents the dual-stack-ness requested or required by this Service.',
    ),
    loadBalancerClass: str(
      'loadBalancerClass is the class of the load balancer implementation this Service belongs to.',
    ),
    loadBalancerIP: str('Only applies to Service Type: LoadBalancer. Deprecated.'),
    loadBalancerSourceRanges: strList(
      'If specified and supported by the platform, traffic through the cloud-provider load-balancer will be restricted to the specified client IPs.',
    ),
    ports: mergedList(c('ServicePort'), 'port', docs['ServiceSpec.ports'], ['port', 'protocol']),
    publishNotReadyAddresses: bool(
      'publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready.',
    ),
    selector: { ...strMap(docs['ServiceSpec.selector']), 'x-kubernetes-map-type': 'atomic' },
    sessionAffinity: str(
      'Supports "ClientIP" and "None". Used to maintain session affinity. Enable client IP based session affinity. Must be ClientIP or None. Defaults to None. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
    ),
    sessionAffinityConfig: ref(
      c('SessionAffinityConfig'),
      'sessionAffinityConfig contains the configurations of session affinity.',
    ),
    trafficDistribution: str(
      'TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints.',
    ),
    type: str(docs['ServiceSpec.type']),
  }),
  [c('ServicePort')]: obj(
    "ServicePort contains information on service's port.",
    {
      appProtocol: str(
        'The application protocol for this port. This is used as a hint for implementations to offer richer behavior for protocols that they understand.',
      ),
      name: str(
        'The name of this port within the service. This must be a DNS_LABEL. All ports within a ServiceSpec must have unique names.',
      ),
      nodePort: int32(
        'The port on each node on which this service is exposed when type is NodePort or LoadBalancer.  Usually assigned by the system. More info: https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport',
      ),
      port: int32('The port that will be exposed by this service.'),
      protocol: str('The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.', {
        default: 'TCP',
      }),
      targetPort: ref(
        'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
        "Number or name of the port to access on the pods targeted by the service. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME. If this is a string, it will be looked up as a named port in the target Pod's container ports. If this is not specified, the value of the 'port' field is used (an identity map). More info: https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service",
      ),
    },
    { required: ['port'] },
  ),
  [c('SessionAffinityConfig')]: obj(
    'SessionAffinityConfig represents the configurations of session affinity.',
    {
      clientIP: ref(
        c('ClientIPConfig'),
        'clientIP contains the configurations of Client IP based session affinity.',
      ),
    },
  ),
  [c('ClientIPConfig')]: obj(
    'ClientIPConfig represents the configurations of Client IP based session affinity.',
    {
      timeoutSeconds: int32(
        'timeoutSeconds specifies the seconds of ClientIP type session sticky time. Default value is 10800(for 3 hours).',
      ),
    },
  ),
  [c('ServiceStatus')]: obj('ServiceStatus represents the current status of a service.', {
    conditions: mergedList(`${metaV1}Condition`, 'type', 'Current service state'),
    loadBalancer: ref(
      c('LoadBalancerStatus'),
      'LoadBalancer contains the current status of the load-balancer, if one is present.',
    ),
  }),
  [c('LoadBalancerStatus')]: obj('LoadBalancerStatus represents the status of a load-balancer.', {
    ingress: atomicList(
      c('LoadBalancerIngress'),
      'Ingress is a list containing ingress points for the load-balancer.',
    ),
  }),
  [c('LoadBalancerIngress')]: obj(
    'LoadBalancerIngress represents the status of a load-balancer ingress point.',
    {
      hostname: str(
        'Hostname is set for load-balancer ingress points that are DNS based (typically AWS load-balancers)',
      ),
      ip: str(
        'IP is set for load-balancer ingress points that are IP based (typically GCE or OpenStack load-balancers)',
      ),
    },
  ),

  // ---------------------------------------------------------------- ReplicationController
  [c('ReplicationController')]: obj(
    'ReplicationController represents the configuration of a replication controller.',
    specStatus('ReplicationController', 'desired behavior of this replication controller'),
    { gvk: coreGvk('ReplicationController') },
  ),
  [c('ReplicationControllerList')]: listOf(
    'ReplicationController',
    'List of replication controllers. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller',
  ),
  [c('ReplicationControllerSpec')]: obj(
    'ReplicationControllerSpec is the specification of a replication controller.',
    {
      minReadySeconds: int32(
        'Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)',
      ),
      replicas: int32(docs['ReplicationControllerSpec.replicas']),
      selector: { ...strMap(docs['ReplicationControllerSpec.selector']), 'x-kubernetes-map-type': 'atomic' },
      template: ref(
        c('PodTemplateSpec'),
        'Template is the object that describes the pod that will be created if insufficient replicas are detected. This takes precedence over a TemplateRef. The only allowed template.spec.restartPolicy value is "Always". More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#pod-template',
      ),
    },
  ),
  [c('ReplicationControllerStatus')]: obj(
    'ReplicationControllerStatus represents the current status of a replication controller.',
    {
      availableReplicas: int32(
        'The number of available replicas (ready for at least minReadySeconds) for this replication controller.',
      ),
      conditions: mergedList(
        c('ReplicationControllerCondition'),
        'type',
        "Represents the latest available observations of a replication controller's current state.",
      ),
      fullyLabeledReplicas: int32(
        'The number of pods that have labels matching the labels of the pod template of the replication controller.',
      ),
      observedGeneration: int32(
        'ObservedGeneration reflects the generation of the most recently observed replication controller.',
      ),
      readyReplicas: int32(docs['ReplicationControllerStatus.readyReplicas']),
      replicas: int32(docs['ReplicationControllerStatus.replicas']),
    },
    { required: ['replicas'] },
  ),
  [c('ReplicationControllerCondition')]: condition('ReplicationController'),

  // ---------------------------------------------------------------- Endpoints
  [c('Endpoints')]: obj(
    'Endpoints is a collection of endpoints that implement the actual service.',
    { ...typeMeta(), subsets: atomicList(c('EndpointSubset'), docs['Endpoints.subsets']) },
    { gvk: coreGvk('Endpoints') },
  ),
  [c('EndpointsList')]: listOf('Endpoints', 'List of endpoints.'),
  [c('EndpointSubset')]: obj('EndpointSubset is a group of addresses with a common set of ports.', {
    addresses: atomicList(
      c('EndpointAddress'),
      'IP addresses which offer the related ports that are marked as ready.',
    ),
    notReadyAddresses: atomicList(
      c('EndpointAddress'),
      'IP addresses which offer the related ports but are not currently marked as ready because they have not yet finished starting, have recently failed a readiness check, or have recently failed a liveness check.',
    ),
    ports: atomicList(c('EndpointPort'), 'Port numbers available on the related IP addresses.'),
  }),
  [c('EndpointAddress')]: obj(
    'EndpointAddress is a tuple that describes single IP address.',
    {
      hostname: str('The Hostname of this endpoint'),
      ip: str('The IP of this endpoint.'),
      nodeName: str(
        'Optional: Node hosting this endpoint. This can be used to determine endpoints local to a node.',
      ),
      targetRef: ref(c('ObjectReference'), 'Reference to object providing the endpoint.'),
    },
    { required: ['ip'], extra: { 'x-kubernetes-map-type': 'atomic' } },
  ),
  [c('EndpointPort')]: obj(
    'EndpointPort is a tuple that describes a single port.',
    {
      appProtocol: str('The application protocol for this port.'),
      name: str("The name of this port.  This must match the 'name' field in the corresponding ServicePort."),
      port: int32('The port number of the endpoint.'),
      protocol: str('The IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP.'),
    },
    { required: ['port'], extra: { 'x-kubernetes-map-type': 'atomic' } },
  ),

  // ---------------------------------------------------------------- Node
  [c('Node')]: obj(
    'Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).',
    specStatus('Node', 'behavior of a node'),
    { gvk: coreGvk('Node') },
  ),
  [c('NodeList')]: listOf('Node', 'List of nodes'),
  [c('NodeSpec')]: obj('NodeSpec describes the attributes that a node is created with.', {
    podCIDR: str('PodCIDR represents the pod IP range assigned to the node.'),
    podCIDRs: arr(
      str(),
      'podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node.',
      {
        listType: 'set',
        strategy: 'merge',
      },
    ),
    providerID: str(
      'ID of the node assigned by the cloud provider in the format: <ProviderName>://<ProviderSpecificNodeID>',
    ),
    taints: atomicList(c('Taint'), "If specified, the node's taints."),
    unschedulable: bool(
      'Unschedulable controls node schedulability of new pods. By default, node is schedulable. More info: https://kubernetes.io/docs/concepts/nodes/node/#manual-node-administration',
    ),
  }),
  [c('Taint')]: obj(
    'The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.',
    {
      effect: str(
        'Required. The effect of the taint on pods that do not tolerate the taint. Valid effects are NoSchedule, PreferNoSchedule and NoExecute.',
      ),
      key: str('Required. The taint key to be applied to a node.'),
      timeAdded: time('TimeAdded represents the time at which the taint was added.'),
      value: str('The taint value corresponding to the taint key.'),
    },
    { required: ['key', 'effect'] },
  ),
  [c('NodeStatus')]: obj('NodeStatus is information about the current status of a node.', {
    addresses: mergedList(c('NodeAddress'), 'type', docs['NodeStatus.addresses']),
    allocatable: quantityMap(
      'Allocatable represents the resources of a node that are available for scheduling. Defaults to Capacity.',
    ),
    capacity: quantityMap(
      'Capacity represents the total resources of a node. More info: https://kubernetes.io/docs/reference/node/node-status/#capacity',
    ),
    conditions: mergedList(
      c('NodeCondition'),
      'type',
      'Conditions is an array of current observed node conditions. More info: https://kubernetes.io/docs/reference/node/node-status/#condition',
    ),
    daemonEndpoints: ref(c('NodeDaemonEndpoints'), 'Endpoints of daemons running on the Node.'),
    images: atomicList(c('ContainerImage'), 'List of container images on this node'),
    nodeInfo: ref(
      c('NodeSystemInfo'),
      'Set of ids/uuids to uniquely identify the node. More info: https://kubernetes.io/docs/reference/node/node-status/#info',
    ),
    phase: str('NodePhase is the recently observed lifecycle phase of the node. Deprecated.'),
  }),
  [c('NodeAddress')]: obj(
    "NodeAddress contains information for the node's address.",
    {
      address: str('The node address.'),
      type: str('Node address type, one of Hostname, ExternalIP or InternalIP.'),
    },
    { required: ['type', 'address'] },
  ),
  [c('NodeCondition')]: condition('Node', {
    lastHeartbeatTime: time('Last time we got an update on a given condition.'),
  }),
  [c('NodeDaemonEndpoints')]: obj('NodeDaemonEndpoints lists ports opened by daemons running on the Node.', {
    kubeletEndpoint: ref(c('DaemonEndpoint'), 'Endpoint on which Kubelet is listening.'),
  }),
  [c('DaemonEndpoint')]: obj(
    'DaemonEndpoint contains information about a single Daemon endpoint.',
    { Port: int32('Port number of the given endpoint.') },
    { required: ['Port'] },
  ),
  [c('ContainerImage')]: obj('Describe a container image', {
    names: strList(
      'Names by which this image is known. e.g. ["kubernetes.example/hyperkube:v1.0.7", "cloud-vendor.registry.example/cloud-vendor/hyperkube:v1.0.7"]',
    ),
    sizeBytes: { description: 'The size of the image in bytes.', type: 'integer', format: 'int64' },
  }),
  [c('NodeSystemInfo')]: obj(
    'NodeSystemInfo is a set of ids/uuids to uniquely identify the node.',
    {
      architecture: str('The Architecture reported by the node'),
      bootID: str('Boot ID reported by the node.'),
      containerRuntimeVersion: str(docs['NodeSystemInfo.containerRuntimeVersion']),
      kernelVersion: str(docs['NodeSystemInfo.kernelVersion']),
      kubeProxyVersion: str('Deprecated: KubeProxy Version reported by the node.'),
      kubeletVersion: str(docs['NodeSystemInfo.kubeletVersion']),
      machineID: str(
        'MachineID reported by the node. For unique machine identification in the cluster this field is preferred.',
      ),
      operatingSystem: str('The Operating System reported by the node'),
      osImage: str(docs['NodeSystemInfo.osImage']),
      systemUUID: str(
        'SystemUUID reported by the node. For unique machine identification MachineID is preferred.',
      ),
    },
    {
      required: [
        'machineID',
        'systemUUID',
        'bootID',
        'kernelVersion',
        'osImage',
        'containerRuntimeVersion',
        'kubeletVersion',
        'kubeProxyVersion',
        'operatingSystem',
        'architecture',
      ],
    },
  ),

  // ---------------------------------------------------------------- Namespace
  [c('Namespace')]: obj(
    'Namespace provides a scope for Names. Use of multiple namespaces is optional.',
    specStatus('Namespace', 'behavior of the Namespace'),
    { gvk: coreGvk('Namespace') },
  ),
  [c('NamespaceList')]: listOf(
    'Namespace',
    'Items is the list of Namespace objects in the list. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/',
  ),
  [c('NamespaceSpec')]: obj('NamespaceSpec describes the attributes on a Namespace.', {
    finalizers: strList(
      'Finalizers is an opaque list of values that must be empty to permanently remove object from storage. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/',
    ),
  }),
  [c('NamespaceStatus')]: obj('NamespaceStatus is information about the current status of a Namespace.', {
    conditions: mergedList(
      c('NamespaceCondition'),
      'type',
      "Represents the latest available observations of a namespace's current state.",
    ),
    phase: str(
      'Phase is the current lifecycle phase of the namespace. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/',
    ),
  }),
  [c('NamespaceCondition')]: condition('Namespace'),

  // ---------------------------------------------------------------- Event
  [c('Event')]: obj(
    'Event is a report of an event somewhere in the cluster.  Events have a limited retention time and triggers and messages may evolve with time.',
    {
      action: str('What action was taken/failed regarding to the Regarding object.'),
      apiVersion: typeMeta().apiVersion!,
      count: int32(docs['Event.count']),
      eventTime: ref(`${metaV1}MicroTime`, 'Time when this Event was first observed.'),
      firstTimestamp: time(docs['Event.firstTimestamp']),
      involvedObject: ref(c('ObjectReference'), docs['Event.involvedObject']),
      kind: typeMeta().kind!,
      lastTimestamp: time(docs['Event.lastTimestamp']),
      message: str(docs['Event.message']),
      metadata: typeMeta().metadata!,
      reason: str(docs['Event.reason']),
      related: ref(c('ObjectReference'), 'Optional secondary object for more complex actions.'),
      reportingComponent: str(
        'Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.',
      ),
      reportingInstance: str('ID of the controller instance, e.g. `kubelet-xyzf`.'),
      series: ref(
        c('EventSeries'),
        "Data about the Event series this event represents or nil if it's a singleton Event.",
      ),
      source: ref(c('EventSource'), docs['Event.source']),
      type: str(docs['Event.type']),
    },
    { required: ['metadata', 'involvedObject'], gvk: coreGvk('Event') },
  ),
  [c('EventList')]: listOf('Event', 'List of events'),
  [c('EventSource')]: obj('EventSource contains information for an event.', {
    component: str('Component from which the event is generated.'),
    host: str('Node name on which the event is generated.'),
  }),
  [c('EventSeries')]: obj(
    'EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time.',
    {
      count: int32('Number of occurrences in this series up to the last heartbeat time'),
      lastObservedTime: ref(`${metaV1}MicroTime`, 'Time of the last occurrence observed'),
    },
  ),

  // ---------------------------------------------------------------- autoscaling/v1 Scale
  'io.k8s.api.autoscaling.v1.Scale': obj(
    'Scale represents a scaling request for a resource.',
    {
      ...typeMeta(),
      spec: ref(
        'io.k8s.api.autoscaling.v1.ScaleSpec',
        'spec defines the behavior of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status.',
      ),
      status: ref(
        'io.k8s.api.autoscaling.v1.ScaleStatus',
        'status is the current status of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status. Read-only.',
      ),
    },
    { gvk: [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }] },
  ),
  'io.k8s.api.autoscaling.v1.ScaleSpec': obj('ScaleSpec describes the attributes of a scale subresource.', {
    replicas: int32('replicas is the desired number of instances for the scaled object.'),
  }),
  'io.k8s.api.autoscaling.v1.ScaleStatus': obj(
    'ScaleStatus represents the current status of a scale subresource.',
    {
      replicas: int32('replicas is the actual number of observed instances of the scaled object.'),
      selector: str(
        'selector is the label query over pods that should match the replicas count. This is same as the label selector but in the string format to avoid introspection by clients.',
      ),
    },
    { required: ['replicas'] },
  ),
};
