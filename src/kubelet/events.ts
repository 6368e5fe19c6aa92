// The kubelet's Events, with the pod (and for container events its field path, e.g.
// `spec.containers{web}`) as involvedObject and the node as source.host, worded as Kubernetes
// words them so `kubectl describe` reads the same.
import type { Container, Node, ObjectReference, Pod } from '../api/types.js';
import type { EventRecorder, EventType } from '../client/events.js';

export class KubeletEvents {
  constructor(private readonly recorder: EventRecorder) {}

  pod(pod: Pod, type: EventType, reason: string, message: string): void {
    this.recorder.record(podRef(pod), type, reason, message);
  }

  container(pod: Pod, container: Container, type: EventType, reason: string, message: string): void {
    const init = (pod.spec.initContainers ?? []).some((c) => c.name === container.name);
    const fieldPath = `spec.${init ? 'initContainers' : 'containers'}{${container.name}}`;
    this.recorder.record({ ...podRef(pod), fieldPath }, type, reason, message);
  }

  node(node: Pick<Node, 'metadata'>, type: EventType, reason: string, message: string): void {
    const name = node.metadata.name ?? '';
    // Kubernetes uses the node name as the uid of node events' involvedObject.
    this.recorder.record({ kind: 'Node', name, uid: name, namespace: '' }, type, reason, message);
  }

  flush(): Promise<void> {
    return this.recorder.flush();
  }
}

function podRef(pod: Pod): ObjectReference {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name ?? '',
    uid: pod.metadata.uid ?? '',
  };
}

/** "name_namespace(uid)", how Kubernetes names a pod in messages. */
export function podDescription(pod: Pod): string {
  return `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid ?? ''})`;
}
