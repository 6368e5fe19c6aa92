// Column definitions and cells for each resource, as Kubernetes 1.32's server-side printers define
// them (pkg/printers/internalversion). The server always fills the wide (priority 1) cells too;
// kubectl hides those columns unless `-o wide`.
import type {
  Endpoints,
  Event,
  KubeObject,
  Lease,
  Namespace,
  Node,
  Pod,
  ReplicationController,
  Service,
  TableColumnDefinition,
  TableRow,
} from '../../api/types.js';
import { type DocKey, docs } from '../openapi/docs.js';
import { timestampSince } from './duration.js';
import { podCells } from './pod.js';

function col(
  name: string,
  type: TableColumnDefinition['type'],
  description: string,
  { priority = 0, format = '' } = {},
): TableColumnDefinition {
  return { name, type, format, description, priority };
}

const doc = (key: DocKey) => docs[key];
const nameColumn = (priority = 0) =>
  col('Name', 'string', doc('ObjectMeta.name'), { format: 'name', priority });
const ageColumn = () => col('Age', 'string', doc('ObjectMeta.creationTimestamp'));
const containersDoc = 'Names of each container in the template.';
const imagesDoc = 'Images referenced by each container in the template.';

export interface Printer {
  columns: TableColumnDefinition[];
  row(obj: KubeObject, nowMs: number): Pick<TableRow, 'cells' | 'conditions'>;
}

/** "k1=v1,k2=v2" sorted by key, "<none>" when empty: labels.FormatLabels. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}

const age = (obj: KubeObject, nowMs: number) => timestampSince(obj.metadata.creationTimestamp, nowMs);

const pods: Printer = {
  columns: [
    nameColumn(),
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    ageColumn(),
    col('IP', 'string', doc('PodStatus.podIP'), { priority: 1 }),
    col('Node', 'string', doc('PodSpec.nodeName'), { priority: 1 }),
    col('Nominated Node', 'string', doc('PodStatus.nominatedNodeName'), { priority: 1 }),
    col('Readiness Gates', 'string', doc('PodSpec.readinessGates'), { priority: 1 }),
  ],
  row: (obj, nowMs) => podCells(obj as unknown as Pod, nowMs),
};

const replicationControllers: Printer = {
  columns: [
    nameColumn(),
    col('Desired', 'integer', doc('ReplicationControllerSpec.replicas')),
    col('Current', 'integer', doc('ReplicationControllerStatus.replicas')),
    col('Ready', 'integer', doc('ReplicationControllerStatus.readyReplicas')),
    ageColumn(),
    col('Containers', 'string', containersDoc, { priority: 1 }),
    col('Images', 'string', imagesDoc, { priority: 1 }),
    col('Selector', 'string', doc('ReplicationControllerSpec.selector'), { priority: 1 }),
  ],
  row(obj, nowMs) {
    const rc = obj as unknown as ReplicationController;
    const containers = rc.spec?.template?.spec?.containers ?? [];
    return {
      cells: [
        rc.metadata.name ?? '',
        rc.spec?.replicas ?? 1, // defaulted to 1 on create, as in Kubernetes
        rc.status?.replicas ?? 0,
        rc.status?.readyReplicas ?? 0,
        age(obj, nowMs),
        containers.map((c) => c.name).join(','),
        containers.map((c) => c.image ?? '').join(','),
        formatLabels(rc.spec?.selector),
      ],
    };
  },
};

/** PORT(S): "80/TCP", "80:30080/TCP" with a node port, comma-joined. */
export function formatServicePorts(svc: Service): string {
  const ports = (svc.spec?.ports ?? []).map((p) =>
    p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`,
  );
  return ports.length ? ports.join(',') : '<none>';
}

function serviceExternalIP(svc: Service): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      // The server prints the wide form: every ingress address, sorted and de-duplicated.
      const ingress = [
        ...new Set(
          (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean),
        ),
      ].sort();
      if (externalIPs.length) return [...ingress, ...externalIPs].join(',');
      return ingress.length ? ingress.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

const services: Printer = {
  columns: [
    nameColumn(),
    col('Type', 'string', doc('ServiceSpec.type')),
    col('Cluster-IP', 'string', doc('ServiceSpec.clusterIP')),
    col('External-IP', 'string', doc('ServiceSpec.externalIPs')),
    col('Port(s)', 'string', doc('ServiceSpec.ports')),
    ageColumn(),
    col('Selector', 'string', doc('ServiceSpec.selector'), { priority: 1 }),
  ],
  row(obj, nowMs) {
    const svc = obj as unknown as Service;
    return {
      cells: [
        svc.metadata.name ?? '',
        svc.spec?.type ?? '',
        svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>',
        serviceExternalIP(svc),
        formatServicePorts(svc),
        age(obj, nowMs),
        formatLabels(svc.spec?.selector),
      ],
    };
  },
};

/** ENDPOINTS: the first three "ip:port" pairs, then " + N more...". */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  const add = (entry: string) => {
    if (list.length === max) more = true;
    else list.push(entry);
  };
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    if (!ss.ports?.length) {
      count += addresses.length; // headless services without ports list bare IPs
      for (const a of addresses) add(a.ip);
      continue;
    }
    for (const port of ss.ports) {
      count += addresses.length;
      for (const a of addresses) add(a.ip.includes(':') ? `[${a.ip}]:${port.port}` : `${a.ip}:${port.port}`);
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

const endpoints: Printer = {
  columns: [nameColumn(), col('Endpoints', 'string', doc('Endpoints.subsets')), ageColumn()],
  row: (obj, nowMs) => ({
    cells: [obj.metadata.name ?? '', formatEndpoints(obj as unknown as Endpoints), age(obj, nowMs)],
  }),
};

/** STATUS: Ready/NotReady from the Ready condition (Unknown without one), ",SchedulingDisabled" when cordoned. */
export function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** ROLES: from `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` value. */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith('node-role.kubernetes.io/')) {
      const role = key.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (key === 'kubernetes.io/role' && value !== '') {
      roles.add(value);
    }
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

const nodeAddress = (node: Node, type: string) =>
  node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';

const nodes: Printer = {
  columns: [
    nameColumn(),
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    col('Version', 'string', doc('NodeSystemInfo.kubeletVersion')),
    col('Internal-IP', 'string', doc('NodeStatus.addresses'), { priority: 1 }),
    col('External-IP', 'string', doc('NodeStatus.addresses'), { priority: 1 }),
    col('OS-Image', 'string', doc('NodeSystemInfo.osImage'), { priority: 1 }),
    col('Kernel-Version', 'string', doc('NodeSystemInfo.kernelVersion'), { priority: 1 }),
    col('Container-Runtime', 'string', doc('NodeSystemInfo.containerRuntimeVersion'), { priority: 1 }),
  ],
  row(obj, nowMs) {
    const node = obj as unknown as Node;
    const info = node.status?.nodeInfo;
    return {
      cells: [
        node.metadata.name ?? '',
        nodeStatus(node),
        nodeRoles(node),
        age(obj, nowMs),
        info?.kubeletVersion ?? '',
        nodeAddress(node, 'InternalIP'),
        nodeAddress(node, 'ExternalIP'),
        info?.osImage || '<unknown>',
        info?.kernelVersion || '<unknown>',
        info?.containerRuntimeVersion || '<unknown>',
      ],
    };
  },
};

const namespaces: Printer = {
  columns: [nameColumn(), col('Status', 'string', 'The status of the namespace'), ageColumn()],
  row: (obj, nowMs) => ({
    cells: [obj.metadata.name ?? '', (obj as unknown as Namespace).status?.phase ?? '', age(obj, nowMs)],
  }),
};

const events: Printer = {
  columns: [
    col('Last Seen', 'string', doc('Event.lastTimestamp')),
    col('Type', 'string', doc('Event.type')),
    col('Reason', 'string', doc('Event.reason')),
    col('Object', 'string', doc('Event.involvedObject')),
    col('Subobject', 'string', doc('ObjectReference.fieldPath'), { priority: 1 }),
    col('Source', 'string', doc('Event.source'), { priority: 1 }),
    col('Message', 'string', doc('Event.message')),
    col('First Seen', 'string', doc('Event.firstTimestamp'), { priority: 1 }),
    col('Count', 'string', doc('Event.count'), { priority: 1 }),
    nameColumn(1),
  ],
  row(obj, nowMs) {
    const ev = obj as unknown as Event;
    const firstSeen = ev.firstTimestamp
      ? timestampSince(ev.firstTimestamp, nowMs)
      : timestampSince(ev.eventTime, nowMs);
    let lastSeen = ev.lastTimestamp ? timestampSince(ev.lastTimestamp, nowMs) : firstSeen;
    let count = ev.count ?? 0;
    if (ev.series) {
      lastSeen = timestampSince(ev.series.lastObservedTime, nowMs);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      count = 1; // singleton events of the events/v1 API carry no count
    }
    const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
    const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
    const component = ev.source?.component || ev.reportingComponent || '';
    const host = ev.source?.host || ev.reportingInstance || '';
    return {
      cells: [
        lastSeen,
        ev.type ?? '',
        ev.reason ?? '',
        target,
        ev.involvedObject?.fieldPath ?? '',
        host ? `${component}, ${host}` : component,
        (ev.message ?? '').trim(),
        firstSeen,
        count,
        ev.metadata.name ?? '',
      ],
    };
  },
};

const leases: Printer = {
  columns: [nameColumn(), col('Holder', 'string', doc('LeaseSpec.holderIdentity')), ageColumn()],
  row(obj, nowMs) {
    const holder = (obj as unknown as Lease).spec?.holderIdentity ?? '<unset>';
    return { cells: [obj.metadata.name ?? '', holder, age(obj, nowMs)] };
  },
};

/** Kubernetes' default table for resources without a printer: NAME and CREATED AT. */
export const defaultPrinter: Printer = {
  columns: [nameColumn(), col('Created At', 'date', doc('ObjectMeta.creationTimestamp'))],
  row: (obj) => ({ cells: [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? null] }),
};

export const printers: ReadonlyMap<string, Printer> = new Map([
  ['pods', pods],
  ['services', services],
  ['replicationcontrollers', replicationControllers],
  ['endpoints', endpoints],
  ['nodes', nodes],
  ['namespaces', namespaces],
  ['events', events],
  ['leases', leases],
]);
