// fieldValidation=Strict/Warn: the fields of a body that the v1 schema does not know, named as
// Kubernetes names them ("spec.containers[0].foo"). The schema lists every field of the objects'
// frames (metadata, spec, container, service port, …); deep, rarely used structures (volume sources,
// affinity, security contexts, status) are accepted as they are.
import type { KubeObject } from '../../api/types.js';

type Schema = 'any' | { readonly [field: string]: Schema } | readonly [Schema];

const any = 'any' as const;
const fields = (names: string, extra: Record<string, Schema> = {}): Record<string, Schema> => ({
  ...Object.fromEntries(
    names
      .split(/\s+/)
      .filter(Boolean)
      .map((n) => [n, any]),
  ),
  ...extra,
});

const objectMeta = fields(
  'name generateName namespace selfLink uid resourceVersion generation creationTimestamp deletionTimestamp ' +
    'deletionGracePeriodSeconds labels annotations ownerReferences finalizers managedFields',
);

const containerPort = fields('name hostPort containerPort protocol hostIP');
const envVar = fields('name value valueFrom');
const volumeMount = fields('name readOnly recursiveReadOnly mountPath subPath mountPropagation subPathExpr');
const container = fields(
  'name image command args workingDir envFrom resources resizePolicy restartPolicy volumeDevices livenessProbe ' +
    'readinessProbe startupProbe lifecycle terminationMessagePath terminationMessagePolicy imagePullPolicy ' +
    'securityContext stdin stdinOnce tty',
  { ports: [containerPort], env: [envVar], volumeMounts: [volumeMount] },
);
const podSpec = fields(
  'volumes ephemeralContainers restartPolicy terminationGracePeriodSeconds activeDeadlineSeconds dnsPolicy ' +
    'nodeSelector serviceAccountName serviceAccount automountServiceAccountToken nodeName hostNetwork hostPID ' +
    'hostIPC shareProcessNamespace securityContext imagePullSecrets hostname subdomain affinity schedulerName ' +
    'tolerations hostAliases priorityClassName priority dnsConfig readinessGates runtimeClassName ' +
    'enableServiceLinks preemptionPolicy overhead topologySpreadConstraints setHostnameAsFQDN os hostUsers ' +
    'schedulingGates resourceClaims resources',
  { containers: [container], initContainers: [container] },
);
const podTemplate = { metadata: objectMeta, spec: podSpec };

const servicePort = fields('name protocol appProtocol port targetPort nodePort');
const serviceSpec = fields(
  'selector clusterIP clusterIPs type externalIPs sessionAffinity loadBalancerIP loadBalancerSourceRanges ' +
    'externalName externalTrafficPolicy healthCheckNodePort publishNotReadyAddresses sessionAffinityConfig ' +
    'ipFamilies ipFamilyPolicy allocateLoadBalancerNodePorts loadBalancerClass internalTrafficPolicy trafficDistribution',
  { ports: [servicePort] },
);

const policyRule = fields('verbs apiGroups resources resourceNames nonResourceURLs');
const binding = {
  roleRef: fields('apiGroup kind name'),
  subjects: [fields('kind apiGroup name namespace')] as const,
};

const frame = (extra: Record<string, Schema>): Schema => ({
  apiVersion: any,
  kind: any,
  metadata: objectMeta,
  ...extra,
});

const schemas: Record<string, Schema> = {
  Pod: frame({ spec: podSpec, status: any }),
  Service: frame({ spec: serviceSpec, status: any }),
  ReplicationController: frame({
    spec: fields('replicas minReadySeconds selector', { template: podTemplate }),
    status: any,
  }),
  Endpoints: frame({ subsets: [fields('addresses notReadyAddresses ports')] }),
  Event: frame(
    fields(
      'involvedObject reason message source firstTimestamp lastTimestamp count type eventTime series action ' +
        'related reportingComponent reportingInstance',
    ),
  ),
  Node: frame({
    spec: fields('podCIDR podCIDRs providerID unschedulable taints configSource externalID'),
    status: any,
  }),
  Namespace: frame({ spec: fields('finalizers'), status: any }),
  Role: frame({ rules: [policyRule] }),
  ClusterRole: frame({
    rules: [policyRule],
    aggregationRule: { clusterRoleSelectors: [fields('matchLabels matchExpressions')] },
  }),
  RoleBinding: frame(binding),
  ClusterRoleBinding: frame(binding),
  Lease: frame({
    spec: fields(
      'holderIdentity leaseDurationSeconds acquireTime renewTime leaseTransitions strategy preferredHolder',
    ),
  }),
};

/** Unknown field paths of `obj` as a `kind`; empty when all are known (or the kind has no schema). */
export function findUnknownFields(kind: string, obj: KubeObject): string[] {
  const schema = schemas[kind];
  const out: string[] = [];
  if (schema) walk(schema, obj, '', out);
  return out;
}

function walk(schema: Schema, value: unknown, path: string, out: string[]): void {
  if (schema === any || value === null || typeof value !== 'object') return;
  if (Array.isArray(schema)) {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        walk(schema[0] as Schema, item, `${path}[${i}]`, out);
      });
    }
    return;
  }
  if (Array.isArray(value)) return;
  const known = schema as { readonly [field: string]: Schema };
  for (const [field, child] of Object.entries(value as Record<string, unknown>)) {
    const childPath = path === '' ? field : `${path}.${field}`;
    const childSchema = Object.hasOwn(known, field) ? known[field] : undefined;
    if (childSchema === undefined) out.push(childPath);
    else walk(childSchema, child, childPath, out);
  }
}
