// The pod row: READY, STATUS and RESTARTS computed exactly as Kubernetes 1.32's printPod does,
// including init containers ("Init:0/1"), restartable (sidecar) init containers, terminal reasons
// ("Completed", "CrashLoopBackOff", "ExitCode:1"), "Terminating" and the "(5m ago)" restart suffix.
import type { Container, ContainerStatus, Pod, PodCondition, TableRow } from '../../api/types.js';
import { timestampMs, timestampSince } from './duration.js';

type Conditions = NonNullable<TableRow['conditions']>;

/** TableRowConditions Kubernetes attaches to finished pods (kubectl hides them unless -a was given). */
function completedCondition(phase: 'Succeeded' | 'Failed'): Conditions {
  const message = phase === 'Succeeded' ? 'The pod has completed successfully.' : 'The pod failed.';
  const condition = { type: 'Completed', status: 'True' as const, reason: phase, message };
  return [condition];
}

const nodeUnreachablePodReason = 'NodeLost';

function isRestartableInit(container: Container | undefined): boolean {
  return (container as { restartPolicy?: string } | undefined)?.restartPolicy === 'Always';
}

function conditionTrue(conditions: PodCondition[] | undefined, type: string): boolean {
  return conditions?.find((c) => c.type === type)?.status === 'True';
}

/** The latest `lastState.terminated.finishedAt` among statuses, in ms (0 when none). */
function latestRestart(statuses: readonly ContainerStatus[], since = 0): number {
  let latest = since;
  for (const s of statuses) latest = Math.max(latest, timestampMs(s.lastState?.terminated?.finishedAt) ?? 0);
  return latest;
}

export interface PodCells {
  cells: unknown[];
  conditions?: Conditions;
}

export function podCells(pod: Pod, nowMs: number): PodCells {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  const initSpecs = new Map((spec.initContainers ?? []).map((c) => [c.name, c]));
  const initCount = spec.initContainers?.length ?? 0;
  const totalContainers =
    (spec.containers?.length ?? 0) + [...initSpecs.values()].filter(isRestartableInit).length;
  let readyContainers = 0;
  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let lastSidecarRestart = 0;

  let reason: string = status.reason || status.phase || '';
  if (status.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i]!;
    const restartable = isRestartableInit(initSpecs.get(c.name));
    restarts += c.restartCount ?? 0;
    lastRestart = latestRestart([c], lastRestart);
    if (restartable) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = latestRestart([c], lastSidecarRestart);
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (restartable && c.started) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      if (terminated.reason) reason = `Init:${terminated.reason}`;
      else if (terminated.signal) reason = `Init:Signal:${terminated.signal}`;
      else reason = `Init:ExitCode:${terminated.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initCount}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount ?? 0;
      lastRestart = latestRestart([c], lastRestart);
      const waiting = c.state?.waiting;
      const terminated = c.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated)
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A container still running means the pod is not Completed, whatever the last one said.
    if (reason === 'Completed' && hasRunning) {
      reason = conditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === nodeUnreachablePodReason) {
    reason = 'Unknown';
  } else if (pod.metadata.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') {
    reason = 'Terminating';
  }

  const restartsCell =
    restarts !== 0 && lastRestart !== 0
      ? `${restarts} (${timestampSince(new Date(lastRestart).toISOString(), nowMs)} ago)`
      : String(restarts);

  const readinessGates = (spec as { readinessGates?: Array<{ conditionType: string }> }).readinessGates ?? [];
  const gatesCell = readinessGates.length
    ? `${readinessGates.filter((g) => status.conditions?.find((c) => c.type === g.conditionType)?.status === 'True').length}/${readinessGates.length}`
    : '<none>';

  return {
    cells: [
      pod.metadata.name ?? '',
      `${readyContainers}/${totalContainers}`,
      reason,
      restartsCell,
      timestampSince(pod.metadata.creationTimestamp, nowMs),
      // Kubernetes prints podIPs[0]; v1 objects that only carry podIP convert to exactly that.
      status.podIPs?.[0]?.ip || status.podIP || '<none>',
      spec.nodeName || '<none>',
      status.nominatedNodeName || '<none>',
      gatesCell,
    ],
    conditions:
      status.phase === 'Succeeded' || status.phase === 'Failed'
        ? completedCondition(status.phase)
        : undefined,
  };
}
