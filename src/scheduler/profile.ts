// The default profile: Kubernetes' default filters that apply to kubelite's API, cheapest and most
// decisive first, and the two score plugins with equal weight.
import type { ControllerIndex } from './framework/controller-index.js';
import { Framework } from './framework/framework.js';
import { createLeastAllocated } from './plugins/least-allocated.js';
import { createNodePorts } from './plugins/node-ports.js';
import { createNodeReady } from './plugins/node-ready.js';
import { createNodeResourcesFit } from './plugins/node-resources-fit.js';
import { createNodeSelector } from './plugins/node-selector.js';
import { createNodeUnschedulable } from './plugins/node-unschedulable.js';
import { createSelectorSpread, type ServiceLister } from './plugins/selector-spread.js';
import { createTaintToleration } from './plugins/taint-toleration.js';

export interface DefaultFrameworkOptions {
  /** Services by namespace, for spreading pods without a controller. */
  services?: ServiceLister;
  /** The cache's controller index, for spreading a controller's pods. */
  controllers?: ControllerIndex;
}

export function createDefaultFramework(
  schedulerName: string,
  options: DefaultFrameworkOptions = {},
): Framework {
  return new Framework({
    schedulerName,
    filters: [
      createNodeUnschedulable(),
      createNodeReady(),
      createTaintToleration(),
      createNodeSelector(),
      createNodePorts(),
      createNodeResourcesFit(),
    ],
    scores: [
      { plugin: createLeastAllocated(), weight: 1 },
      { plugin: createSelectorSpread(options), weight: 1 },
    ],
  });
}
