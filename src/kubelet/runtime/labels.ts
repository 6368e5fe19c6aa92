// The label scheme shared by every runtime: what goes on a sandbox and a container, how it is read
// back, and how filters match.
import {
  annotationLabelPrefix,
  type ContainerConfig,
  labelAttempt,
  labelContainerName,
  labelNode,
  labelPodName,
  labelPodNamespace,
  labelPodUid,
  labelSandboxId,
  labelType,
  type PodSandboxConfig,
  sandboxContainerName,
} from './types.js';

export type ObjectType = 'podsandbox' | 'container';

/** Labels of a sandbox: user labels first, so ours always win. */
export function sandboxLabels(nodeName: string, config: PodSandboxConfig): Record<string, string> {
  return {
    ...config.labels,
    ...annotationsToLabels(config.annotations),
    [labelPodUid]: config.uid,
    [labelPodNamespace]: config.namespace,
    [labelPodName]: config.name,
    [labelContainerName]: sandboxContainerName,
    [labelAttempt]: String(config.attempt ?? 0),
    [labelNode]: nodeName,
    [labelType]: 'podsandbox',
  };
}

/** Labels of a container: the sandbox's pod identity and user labels, then the container's own. */
export function containerLabels(
  sandbox: Record<string, string>,
  sandboxId: string,
  config: ContainerConfig,
): Record<string, string> {
  return {
    ...copyUserLabels(sandbox),
    ...config.labels,
    ...annotationsToLabels(config.annotations),
    [labelPodUid]: sandbox[labelPodUid] ?? '',
    [labelPodNamespace]: sandbox[labelPodNamespace] ?? '',
    [labelPodName]: sandbox[labelPodName] ?? '',
    [labelContainerName]: config.name,
    [labelAttempt]: String(config.attempt),
    [labelNode]: sandbox[labelNode] ?? '',
    [labelSandboxId]: sandboxId,
    [labelType]: 'container',
  };
}

/** Pod labels travel from the sandbox to its containers (test markers included); annotations do not. */
function copyUserLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (!k.startsWith(annotationLabelPrefix) && !isOwnLabel(k)) out[k] = v;
  }
  return out;
}

const ownLabels = new Set([
  labelPodUid,
  labelPodNamespace,
  labelPodName,
  labelContainerName,
  labelAttempt,
  labelNode,
  labelSandboxId,
  labelType,
]);

export function isOwnLabel(key: string): boolean {
  return ownLabels.has(key);
}

function annotationsToLabels(annotations: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotations ?? {})) out[annotationLabelPrefix + k] = v;
  return out;
}

/** Splits stored labels back into labels and annotations (the `annotation.` prefix removed). */
export function splitLabels(stored: Record<string, string>): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(stored)) {
    if (k.startsWith(annotationLabelPrefix)) annotations[k.slice(annotationLabelPrefix.length)] = v;
    else labels[k] = v;
  }
  return { labels, annotations };
}

export function matchesLabels(
  labels: Record<string, string>,
  want: Record<string, string> | undefined,
): boolean {
  if (!want) return true;
  for (const [k, v] of Object.entries(want)) if (labels[k] !== v) return false;
  return true;
}

export function attemptOf(labels: Record<string, string>): number {
  const n = Number(labels[labelAttempt]);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}
