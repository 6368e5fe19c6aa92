// Removing a node's pod containers after its kubelet has stopped (`kubelite down`): through the same
// Runtime the kubelet used, found by the node's name (docker labels) or state folder (process), so
// only this cluster's containers go.
import { createRuntime } from '../kubelet/runtime/index.js';
import type { NodeLayout } from './layout.js';
import type { RuntimeKind } from './options.js';

/**
 * Stops every running container of the node (SIGTERM, SIGKILL after gracePeriodMs), then removes
 * every pod sandbox and its containers; returns how many sandboxes went.
 */
export async function removeNodeContainers(
  kind: RuntimeKind,
  node: NodeLayout,
  gracePeriodMs = 10_000,
): Promise<number> {
  if (kind === 'fake') return 0; // nothing runs
  const runtime = await createRuntime({
    kind,
    nodeName: node.name,
    hostPortAddress: node.address,
    podCidr: node.podCidr,
    stateDir: node.runtimeStateDir,
  });
  try {
    const running = await runtime.listContainers({ state: 'running' });
    await Promise.all(running.map((c) => runtime.stopContainer(c.id, gracePeriodMs)));
    const sandboxes = await runtime.listPodSandboxes();
    for (const sandbox of sandboxes) {
      await runtime.stopPodSandbox(sandbox.id);
      await runtime.removePodSandbox(sandbox.id);
    }
    return sandboxes.length;
  } finally {
    await runtime.close();
  }
}
