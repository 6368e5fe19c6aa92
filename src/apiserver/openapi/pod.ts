// core/v1 Pod: spec, scheduling constraints and status, plus Binding and object references.
import { docs } from './docs.js';
import {
  arr,
  atomicList,
  bool,
  coreGvk,
  coreV1,
  int32,
  int64,
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

const podAffinityProperties: Record<string, Schema> = {
  preferredDuringSchedulingIgnoredDuringExecution: atomicList(
    c('WeightedPodAffinityTerm'),
    'The scheduler will prefer to schedule pods to nodes that satisfy the expressions specified by this field, but it may choose a node that violates one or more of the expressions.',
  ),
  requiredDuringSchedulingIgnoredDuringExecution: atomicList(
    c('PodAffinityTerm'),
    'If the requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.',
  ),
};

export const podSchemas: Record<string, Schema> = {
  [c('Pod')]: obj(
    'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.',
    {
      ...typeMeta(),
      spec: ref(
        c('PodSpec'),
        'Specification of the desired behavior of the pod. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
      ),
      status: ref(
        c('PodStatus'),
        'Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
      ),
    },
    { gvk: coreGvk('Pod') },
  ),
  [c('PodList')]: listOf(
    'Pod',
    'List of pods. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-containers.md',
  ),
  [c('PodTemplateSpec')]: obj(
    'PodTemplateSpec describes the data a pod should have when created from a template',
    {
      metadata: typeMeta().metadata!,
      spec: ref(c('PodSpec'), 'Specification of the desired behavior of the pod.'),
    },
  ),
  [c('PodSpec')]: obj(
    'PodSpec is a description of a pod.',
    {
      activeDeadlineSeconds: int64(
        'Optional duration in seconds the pod may be active on the node relative to StartTime before the system will actively try to mark it failed and kill associated containers. Value must be a positive integer.',
      ),
      affinity: ref(c('Affinity'), "If specified, the pod's scheduling constraints"),
      automountServiceAccountToken: bool(
        'AutomountServiceAccountToken indicates whether a service account token should be automatically mounted.',
      ),
      containers: mergedList(
        c('Container'),
        'name',
        'List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.',
      ),
      dnsConfig: ref(
        c('PodDNSConfig'),
        'Specifies the DNS parameters of a pod. Parameters specified here will be merged to the generated DNS configuration based on DNSPolicy.',
      ),
      dnsPolicy: str(
        "Set DNS policy for the pod. Defaults to \"ClusterFirst\". Valid values are 'ClusterFirstWithHostNet', 'ClusterFirst', 'Default' or 'None'.",
      ),
      enableServiceLinks: bool(
        "EnableServiceLinks indicates whether information about services should be injected into pod's environment variables, matching the syntax of Docker links. Optional: Defaults to true.",
      ),
      ephemeralContainers: mergedList(
        c('EphemeralContainer'),
        'name',
        'List of ephemeral containers run in this pod. Ephemeral containers may be run in an existing pod to perform user-initiated actions such as debugging.',
      ),
      hostAliases: mergedList(
        c('HostAlias'),
        'ip',
        "HostAliases is an optional list of hosts and IPs that will be injected into the pod's hosts file if specified.",
      ),
      hostIPC: bool("Use the host's ipc namespace. Optional: Default to false."),
      hostNetwork: bool(
        "Host networking requested for this pod. Use the host's network namespace. If this option is set, the ports that will be used must be specified. Default to false.",
      ),
      hostname: str(
        "Specifies the hostname of the Pod If not specified, the pod's hostname will be set to a system-defined value.",
      ),
      imagePullSecrets: mergedList(
        c('LocalObjectReference'),
        'name',
        'ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec.',
      ),
      initContainers: mergedList(
        c('Container'),
        'name',
        'List of initialization containers belonging to the pod. Init containers are executed in order prior to containers being started. More info: https://kubernetes.io/docs/concepts/workloads/pods/init-containers/',
      ),
      hostPID: bool("Use the host's pid namespace. Optional: Default to false."),
      hostUsers: bool("Use the host's user namespace. Optional: Default to true."),
      nodeName: str(docs['PodSpec.nodeName']),
      nodeSelector: {
        ...strMap(
          "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
        ),
        'x-kubernetes-map-type': 'atomic',
      },
      os: ref(c('PodOS'), 'Specifies the OS of the containers in the pod.'),
      overhead: quantityMap(
        'Overhead represents the resource overhead associated with running a pod for a given RuntimeClass.',
      ),
      preemptionPolicy: str(
        'PreemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.',
      ),
      priority: int32(
        'The priority value. Various system components use this field to find the priority of the pod.',
      ),
      priorityClassName: str("If specified, indicates the pod's priority."),
      readinessGates: atomicList(c('PodReadinessGate'), docs['PodSpec.readinessGates']),
      resourceClaims: arr(
        ref(c('PodResourceClaim')),
        'ResourceClaims defines which ResourceClaims must be allocated and reserved before the Pod is allowed to start.',
        { mergeKey: 'name', strategy: 'merge,retainKeys', listType: 'map', mapKeys: ['name'] },
      ),
      resources: ref(
        c('ResourceRequirements'),
        'Resources is the total amount of CPU and Memory resources required by all containers in the pod.',
      ),
      restartPolicy: str(
        'Restart policy for all containers within the pod. One of Always, OnFailure, Never. In some contexts, only a subset of those values may be permitted. Default to Always. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy',
      ),
      runtimeClassName: str(
        'RuntimeClassName refers to a RuntimeClass object in the node.k8s.io group, which should be used to run this pod.',
      ),
      schedulerName: str(
        'If specified, the pod will be dispatched by specified scheduler. If not specified, the pod will be dispatched by default scheduler.',
      ),
      schedulingGates: mergedList(
        c('PodSchedulingGate'),
        'name',
        'SchedulingGates is an opaque list of values that if specified will block scheduling the pod.',
      ),
      securityContext: ref(
        c('PodSecurityContext'),
        'SecurityContext holds pod-level security attributes and common container settings. Optional: Defaults to empty.  See type description for default values of each field.',
      ),
      serviceAccount: str(
        'DeprecatedServiceAccount is a deprecated alias for ServiceAccountName. Deprecated: Use serviceAccountName instead.',
      ),
      serviceAccountName: str(
        'ServiceAccountName is the name of the ServiceAccount to use to run this pod. More info: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/',
      ),
      setHostnameAsFQDN: bool(
        "If true the pod's hostname will be configured as the pod's FQDN, rather than the leaf name (the default).",
      ),
      shareProcessNamespace: bool(
        'Share a single process namespace between all of the containers in a pod. Optional: Default to false.',
      ),
      subdomain: str(
        'If specified, the fully qualified Pod hostname will be "<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>".',
      ),
      terminationGracePeriodSeconds: int64(
        'Optional duration in seconds the pod needs to terminate gracefully. May be decreased in delete request. Value must be non-negative integer. The value zero indicates stop immediately via the kill signal (no opportunity to shut down). If this value is nil, the default grace period will be used instead. Defaults to 30 seconds.',
      ),
      tolerations: atomicList(c('Toleration'), "If specified, the pod's tolerations."),
      topologySpreadConstraints: mergedList(
        c('TopologySpreadConstraint'),
        'topologyKey',
        'TopologySpreadConstraints describes how a group of pods ought to spread across topology domains. Scheduler will schedule pods in a way which abides by the constraints. All topologySpreadConstraints are ANDed.',
        ['topologyKey', 'whenUnsatisfiable'],
      ),
      volumes: arr(
        ref(c('Volume')),
        'List of volumes that can be mounted by containers belonging to the pod. More info: https://kubernetes.io/docs/concepts/storage/volumes',
        { mergeKey: 'name', strategy: 'merge,retainKeys', listType: 'map', mapKeys: ['name'] },
      ),
    },
    { required: ['containers'] },
  ),
  [c('Affinity')]: obj('Affinity is a group of affinity scheduling rules.', {
    nodeAffinity: ref(c('NodeAffinity'), 'Describes node affinity scheduling rules for the pod.'),
    podAffinity: ref(
      c('PodAffinity'),
      'Describes pod affinity scheduling rules (e.g. co-locate this pod in the same node, zone, etc. as some other pod(s)).',
    ),
    podAntiAffinity: ref(
      c('PodAntiAffinity'),
      'Describes pod anti-affinity scheduling rules (e.g. avoid putting this pod in the same node, zone, etc. as some other pod(s)).',
    ),
  }),
  [c('NodeAffinity')]: obj('Node affinity is a group of node affinity scheduling rules.', {
    preferredDuringSchedulingIgnoredDuringExecution: atomicList(
      c('PreferredSchedulingTerm'),
      'The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions.',
    ),
    requiredDuringSchedulingIgnoredDuringExecution: ref(
      c('NodeSelector'),
      'If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.',
    ),
  }),
  [c('NodeSelector')]: obj(
    'A node selector represents the union of the results of one or more label queries over a set of nodes; that is, it represents the OR of the selectors represented by the node selector terms.',
    {
      nodeSelectorTerms: atomicList(
        c('NodeSelectorTerm'),
        'Required. A list of node selector terms. The terms are ORed.',
      ),
    },
    { required: ['nodeSelectorTerms'], extra: { 'x-kubernetes-map-type': 'atomic' } },
  ),
  [c('NodeSelectorTerm')]: obj(
    'A null or empty node selector term matches no objects. The requirements of them are ANDed.',
    {
      matchExpressions: atomicList(
        c('NodeSelectorRequirement'),
        "A list of node selector requirements by node's labels.",
      ),
      matchFields: atomicList(
        c('NodeSelectorRequirement'),
        "A list of node selector requirements by node's fields.",
      ),
    },
    { extra: { 'x-kubernetes-map-type': 'atomic' } },
  ),
  [c('NodeSelectorRequirement')]: obj(
    'A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
    {
      key: str('The label key that the selector applies to.'),
      operator: str(
        "Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. Gt, and Lt.",
      ),
      values: strList(
        'An array of string values. If the operator is In or NotIn, the values array must be non-empty.',
      ),
    },
    { required: ['key', 'operator'] },
  ),
  [c('PreferredSchedulingTerm')]: obj(
    "An empty preferred scheduling term matches all objects with implicit weight 0 (i.e. it's a no-op).",
    {
      preference: ref(
        c('NodeSelectorTerm'),
        'A node selector term, associated with the corresponding weight.',
      ),
      weight: int32(
        'Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.',
      ),
    },
    { required: ['weight', 'preference'] },
  ),
  [c('PodAffinity')]: obj(
    'Pod affinity is a group of inter pod affinity scheduling rules.',
    podAffinityProperties,
  ),
  [c('PodAntiAffinity')]: obj(
    'Pod anti affinity is a group of inter pod anti affinity scheduling rules.',
    podAffinityProperties,
  ),
  [c('PodAffinityTerm')]: obj(
    'Defines a set of pods (namely those matching the labelSelector relative to the given namespace(s)) that this pod should be co-located (affinity) or not co-located (anti-affinity) with.',
    {
      labelSelector: ref(
        `${metaV1}LabelSelector`,
        'A label query over a set of resources, in this case pods.',
      ),
      matchLabelKeys: strList(
        'MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.',
      ),
      mismatchLabelKeys: strList(
        'MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.',
      ),
      namespaceSelector: ref(
        `${metaV1}LabelSelector`,
        'A label query over the set of namespaces that the term applies to.',
      ),
      namespaces: strList('namespaces specifies a static list of namespace names that the term applies to.'),
      topologyKey: str(
        'This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector in the specified namespaces, where co-located is defined as running on a node whose value of the label with key topologyKey matches that of any node on which any of the selected pods is running.',
      ),
    },
    { required: ['topologyKey'] },
  ),
  [c('WeightedPodAffinityTerm')]: obj(
    'The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most preferred node(s)',
    {
      podAffinityTerm: ref(
        c('PodAffinityTerm'),
        'Required. A pod affinity term, associated with the corresponding weight.',
      ),
      weight: int32('weight associated with matching the corresponding podAffinityTerm, in the range 1-100.'),
    },
    { required: ['weight', 'podAffinityTerm'] },
  ),
  [c('TopologySpreadConstraint')]: obj(
    'TopologySpreadConstraint specifies how to spread matching pods among the given topology.',
    {
      labelSelector: ref(`${metaV1}LabelSelector`, 'LabelSelector is used to find matching pods.'),
      matchLabelKeys: strList(
        'MatchLabelKeys is a set of pod label keys to select the pods over which spreading will be calculated.',
      ),
      maxSkew: int32('MaxSkew describes the degree to which pods may be unevenly distributed.'),
      minDomains: int32('MinDomains indicates a minimum number of eligible domains.'),
      nodeAffinityPolicy: str(
        "NodeAffinityPolicy indicates how we will treat Pod's nodeAffinity/nodeSelector when calculating pod topology spread skew.",
      ),
      nodeTaintsPolicy: str(
        'NodeTaintsPolicy indicates how we will treat node taints when calculating pod topology spread skew.',
      ),
      topologyKey: str(
        'TopologyKey is the key of node labels. Nodes that have a label with this key and identical values are considered to be in the same topology.',
      ),
      whenUnsatisfiable: str(
        "WhenUnsatisfiable indicates how to deal with a pod if it doesn't satisfy the spread constraint. DoNotSchedule (default) or ScheduleAnyway.",
      ),
    },
    { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'] },
  ),
  [c('HostAlias')]: obj(
    "HostAlias holds the mapping between IP and hostnames that will be injected as an entry in the pod's hosts file.",
    {
      hostnames: strList('Hostnames for the above IP address.'),
      ip: str('IP address of the host file entry.'),
    },
    { required: ['ip'] },
  ),
  [c('PodDNSConfig')]: obj(
    'PodDNSConfig defines the DNS parameters of a pod in addition to those generated from DNSPolicy.',
    {
      nameservers: strList(
        'A list of DNS name server IP addresses. This will be appended to the base nameservers generated from DNSPolicy.',
      ),
      options: atomicList(
        c('PodDNSConfigOption'),
        'A list of DNS resolver options. This will be merged with the base options generated from DNSPolicy.',
      ),
      searches: strList(
        'A list of DNS search domains for host-name lookup. This will be appended to the base search paths generated from DNSPolicy.',
      ),
    },
  ),
  [c('PodDNSConfigOption')]: obj('PodDNSConfigOption defines DNS resolver options of a pod.', {
    name: str("Name is this DNS resolver option's name. Required."),
    value: str("Value is this DNS resolver option's value."),
  }),
  [c('PodOS')]: obj(
    'PodOS defines the OS parameters of a pod.',
    {
      name: str(
        'Name is the name of the operating system. The currently supported values are linux and windows.',
      ),
    },
    { required: ['name'] },
  ),
  [c('PodSchedulingGate')]: obj(
    'PodSchedulingGate is associated to a Pod to guard its scheduling.',
    { name: str('Name of the scheduling gate. Each scheduling gate must have a unique name field.') },
    { required: ['name'] },
  ),
  [c('PodResourceClaim')]: obj(
    'PodResourceClaim references exactly one ResourceClaim, either directly or by naming a ResourceClaimTemplate which is then turned into a ResourceClaim for the pod.',
    {
      name: str('Name uniquely identifies this resource claim inside the pod.'),
      resourceClaimName: str(
        'ResourceClaimName is the name of a ResourceClaim object in the same namespace as this pod.',
      ),
      resourceClaimTemplateName: str(
        'ResourceClaimTemplateName is the name of a ResourceClaimTemplate object in the same namespace as this pod.',
      ),
    },
    { required: ['name'] },
  ),
  [c('Sysctl')]: obj(
    'Sysctl defines a kernel parameter to be set',
    { name: str('Name of a property to set'), value: str('Value of a property to set') },
    { required: ['name', 'value'] },
  ),
  [c('PodReadinessGate')]: obj(
    'PodReadinessGate contains the reference to a pod condition',
    {
      conditionType: str(
        "ConditionType refers to a condition in the pod's condition list with matching type.",
      ),
    },
    { required: ['conditionType'] },
  ),
  [c('LocalObjectReference')]: obj(
    'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.',
    {
      name: str(
        'Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names',
      ),
    },
    { extra: { 'x-kubernetes-map-type': 'atomic' } },
  ),
  [c('Toleration')]: obj(
    'The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>.',
    {
      effect: str(
        'Effect indicates the taint effect to match. Empty means match all taint effects. When specified, allowed values are NoSchedule, PreferNoSchedule and NoExecute.',
      ),
      key: str('Key is the taint key that the toleration applies to. Empty means match all taint keys.'),
      operator: str(
        "Operator represents a key's relationship to the value. Valid operators are Exists and Equal. Defaults to Equal.",
      ),
      tolerationSeconds: int64(
        'TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute) tolerates the taint.',
      ),
      value: str('Value is the taint value the toleration matches to.'),
    },
  ),
  [c('PodSecurityContext')]: obj(
    'PodSecurityContext holds pod-level security attributes and common container settings. Some fields are also present in container.securityContext.  Field values of container.securityContext take precedence over field values of PodSecurityContext.',
    {
      appArmorProfile: ref(
        c('AppArmorProfile'),
        'appArmorProfile is the AppArmor options to use by the containers in this pod.',
      ),
      fsGroup: int64('A special supplemental group that applies to all containers in a pod.'),
      fsGroupChangePolicy: str(
        'fsGroupChangePolicy defines behavior of changing ownership and permission of the volume before being exposed inside Pod.',
      ),
      runAsGroup: int64(
        'The GID to run the entrypoint of the container process. Uses runtime default if unset.',
      ),
      runAsNonRoot: bool('Indicates that the container must run as a non-root user.'),
      runAsUser: int64(
        'The UID to run the entrypoint of the container process. Defaults to user specified in image metadata if unspecified.',
      ),
      seLinuxChangePolicy: str(
        "seLinuxChangePolicy defines how the container's SELinux label is applied to all volumes used by the Pod.",
      ),
      seLinuxOptions: ref(c('SELinuxOptions'), 'The SELinux context to be applied to all containers.'),
      seccompProfile: ref(c('SeccompProfile'), 'The seccomp options to use by the containers in this pod.'),
      supplementalGroups: arr(
        int64(),
        "A list of groups applied to the first process run in each container, in addition to the container's primary GID and fsGroup (if specified).",
        { listType: 'atomic' },
      ),
      supplementalGroupsPolicy: str(
        'Defines how supplemental groups of the first container processes are calculated. Valid values are "Merge" and "Strict".',
      ),
      sysctls: atomicList(c('Sysctl'), 'Sysctls hold a list of namespaced sysctls used for the pod.'),
      windowsOptions: ref(
        c('WindowsSecurityContextOptions'),
        'The Windows specific settings applied to all containers.',
      ),
    },
  ),
  [c('PodStatus')]: obj(
    'PodStatus represents information about the status of a pod. Status may trail the actual state of a system, especially if the node that hosts the pod cannot contact the control plane.',
    {
      conditions: mergedList(
        c('PodCondition'),
        'type',
        'Current service state of pod. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-conditions',
      ),
      containerStatuses: atomicList(
        c('ContainerStatus'),
        'The list has one entry per container in the manifest. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-and-container-status',
      ),
      hostIP: str(
        'hostIP holds the IP address of the host to which the pod is assigned. Empty if the pod has not started yet.',
      ),
      hostIPs: arr(ref(c('HostIP')), 'hostIPs holds the IP addresses allocated to the host.', {
        mergeKey: 'ip',
        strategy: 'merge',
        listType: 'atomic',
      }),
      initContainerStatuses: atomicList(
        c('ContainerStatus'),
        'The list has one entry per init container in the manifest.',
      ),
      message: str('A human readable message indicating details about why the pod is in this condition.'),
      nominatedNodeName: str(docs['PodStatus.nominatedNodeName']),
      phase: str(
        'The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle: Pending, Running, Succeeded, Failed or Unknown. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-phase',
      ),
      podIP: str(docs['PodStatus.podIP']),
      podIPs: mergedList(c('PodIP'), 'ip', 'podIPs holds the IP addresses allocated to the pod.'),
      qosClass: str(
        'The Quality of Service (QOS) classification assigned to the pod based on resource requirements.',
      ),
      reason: str(
        "A brief CamelCase message indicating details about why the pod is in this state. e.g. 'Evicted'",
      ),
      startTime: time(
        'RFC 3339 date and time at which the object was acknowledged by the Kubelet. This is before the Kubelet pulled the container image(s) for the pod.',
      ),
    },
  ),
  [c('PodIP')]: obj(
    'PodIP represents a single IP address allocated to the pod.',
    { ip: str('IP is the IP address assigned to the pod') },
    { required: ['ip'] },
  ),
  [c('HostIP')]: obj(
    'HostIP represents a single IP address allocated to the host.',
    { ip: str('IP is the IP address assigned to the host') },
    { required: ['ip'] },
  ),
  [c('PodCondition')]: obj(
    'PodCondition contains details for the current condition of this pod.',
    {
      lastProbeTime: time('Last time we probed the condition.'),
      lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
      message: str('Human-readable message indicating details about last transition.'),
      reason: str("Unique, one-word, CamelCase reason for the condition's last transition."),
      status: str('Status is the status of the condition. Can be True, False, Unknown.'),
      type: str('Type is the type of the condition.'),
    },
    { required: ['type', 'status'] },
  ),
  [c('ContainerStatus')]: obj(
    'ContainerStatus contains details for the current status of this container.',
    {
      containerID: str("ContainerID is the ID of the container in the format '<type>://<container_id>'."),
      image: str('Image is the name of container image that the container is running.'),
      imageID: str("ImageID is the image ID of the container's image."),
      lastState: ref(
        c('ContainerState'),
        'LastTerminationState holds the last termination state of the container to help debug container crashes and restarts.',
      ),
      name: str('Name is a DNS_LABEL representing the unique name of the container.'),
      ready: bool('Ready specifies whether the container is currently passing its readiness check.'),
      restartCount: int32('RestartCount holds the number of times the container has been restarted.'),
      started: bool(
        'Started indicates whether the container has finished its postStart lifecycle hook and passed its startup probe.',
      ),
      state: ref(c('ContainerState'), "State holds details about the container's current condition."),
    },
    { required: ['name', 'ready', 'restartCount', 'image', 'imageID'] },
  ),
  [c('ContainerState')]: obj(
    'ContainerState holds a possible state of container. Only one of its members may be specified. If none of them is specified, the default one is ContainerStateWaiting.',
    {
      running: ref(c('ContainerStateRunning'), 'Details about a running container'),
      terminated: ref(c('ContainerStateTerminated'), 'Details about a terminated container'),
      waiting: ref(c('ContainerStateWaiting'), 'Details about a waiting container'),
    },
  ),
  [c('ContainerStateWaiting')]: obj('ContainerStateWaiting is a waiting state of a container.', {
    message: str('Message regarding why the container is not yet running.'),
    reason: str('(brief) reason the container is not yet running.'),
  }),
  [c('ContainerStateRunning')]: obj('ContainerStateRunning is a running state of a container.', {
    startedAt: time('Time at which the container was last (re-)started'),
  }),
  [c('ContainerStateTerminated')]: obj(
    'ContainerStateTerminated is a terminated state of a container.',
    {
      containerID: str("Container's ID in the format '<type>://<container_id>'"),
      exitCode: int32('Exit status from the last termination of the container'),
      finishedAt: time('Time at which the container last terminated'),
      message: str('Message regarding the last termination of the container'),
      reason: str('(brief) reason from the last termination of the container'),
      signal: int32('Signal from the last termination of the container'),
      startedAt: time('Time at which previous execution of the container started'),
    },
    { required: ['exitCode'] },
  ),
  [c('Binding')]: obj(
    'Binding ties one object to another; for example, a pod is bound to a node by a scheduler.',
    {
      apiVersion: typeMeta().apiVersion!,
      kind: typeMeta().kind!,
      metadata: typeMeta().metadata!,
      target: ref(c('ObjectReference'), 'The target object that you want to bind to the standard object.'),
    },
    { required: ['target'], gvk: coreGvk('Binding') },
  ),
  [c('ObjectReference')]: obj(
    'ObjectReference contains enough information to let you inspect or modify the referred object.',
    {
      apiVersion: str('API version of the referent.'),
      fieldPath: str(docs['ObjectReference.fieldPath']),
      kind: str(
        'Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
      ),
      name: str(
        'Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names',
      ),
      namespace: str(
        'Namespace of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/',
      ),
      resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
      uid: str(
        'UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#uids',
      ),
    },
    { extra: { 'x-kubernetes-map-type': 'atomic' } },
  ),
};
