// SelectorSpread: spreads the pods of one controller (or one service) across nodes. A node scores
// higher the fewer such pods it already has: maxNodeScore × (max − count) / max over the nodes
// being scored. Pods with a controller owner are looked up in the cache's controller index (one
// small map per controller: the nodes holding its pods); a controller with no pods yet scores every
// node alike, so the plugin skips. Other pods are grouped by the services selecting them, counted by
// walking the node's pods.
import type { Pod, Service } from '../../api/types.js';
import type { ControllerIndex } from '../framework/controller-index.js';
import type { CycleState } from '../framework/cycle-state.js';
import { maxNodeScore, type PreScorePlugin, type ScorePlugin } from '../framework/interface.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { type Status, skip, success } from '../framework/status.js';

export const selectorSpreadName = 'SelectorSpread';
const stateKey = 'PreScore/SelectorSpread';

/** Lists the services of a namespace (from an informer); none when absent. */
export type ServiceLister = (namespace: string) => Iterable<Service>;

type Selector = Readonly<Record<string, string>>;
type SpreadGroup =
  | { controllerNodes: ReadonlyMap<NodeInfo, number> }
  | { namespace: string; selectors: Selector[] };

export interface SelectorSpreadOptions {
  services?: ServiceLister;
  controllers?: ControllerIndex;
}

export function createSelectorSpread(options: SelectorSpreadOptions = {}): ScorePlugin & PreScorePlugin {
  return {
    name: selectorSpreadName,
    preScore(state, pod): Status {
      const group = spreadGroup(pod, options);
      state.write(stateKey, group);
      return group ? success : skip;
    },
    score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
      const group = state.read<SpreadGroup>(stateKey);
      return group ? countIn(group, node) : 0;
    },
    scoreAll(state, _pod, nodes, count, out) {
      const group = state.read<SpreadGroup>(stateKey);
      if (group && 'controllerNodes' in group) {
        const counts = group.controllerNodes;
        for (let i = 0; i < count; i++) out[i] = counts.get(nodes[i]!) ?? 0;
      } else for (let i = 0; i < count; i++) out[i] = group ? countIn(group, nodes[i]!) : 0;
    },
    normalizeScore(_state, _pod, scores, count): void {
      let max = 0;
      for (let i = 0; i < count; i++) if (scores[i]! > max) max = scores[i]!;
      for (let i = 0; i < count; i++) {
        scores[i] = max === 0 ? maxNodeScore : Math.floor((maxNodeScore * (max - scores[i]!)) / max);
      }
    },
  };
}

function countIn(group: SpreadGroup, node: NodeInfo): number {
  if ('controllerNodes' in group) return group.controllerNodes.get(node) ?? 0;
  let n = 0;
  for (const p of node.pods.values()) {
    if (p.pod.metadata.namespace === group.namespace && matchesAll(group.selectors, p.pod)) n++;
  }
  return n;
}

function spreadGroup(
  pod: PodInfo,
  { services, controllers }: SelectorSpreadOptions,
): SpreadGroup | undefined {
  if (pod.controllerUid) {
    const controllerNodes = controllers?.nodesOf(pod.controllerUid);
    return controllerNodes ? { controllerNodes } : undefined;
  }
  if (!services) return undefined;
  const namespace = pod.pod.metadata.namespace ?? 'default';
  const selectors: Selector[] = [];
  for (const svc of services(namespace)) {
    const sel = svc.spec?.selector;
    if (sel && Object.keys(sel).length > 0 && matches(sel, pod.pod)) selectors.push(sel);
  }
  return selectors.length ? { namespace, selectors } : undefined;
}

function matches(selector: Selector, pod: Pod): boolean {
  const labels = pod.metadata.labels;
  if (!labels) return false;
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

function matchesAll(selectors: Selector[], pod: Pod): boolean {
  for (const s of selectors) if (!matches(s, pod)) return false;
  return true;
}
