// The plugin contract, one small interface per extension point, in the shape of the Kubernetes
// scheduler framework: PreFilter (once per pod, may compute state or opt out with Skip), Filter
// (per node, returns a Status value), PreScore, Score (per feasible node, 0–100) and NormalizeScore.
// Filters also name the cluster events that could turn their rejection into a fit, so the queue
// retries unschedulable pods only when such an event happens.
import type { CycleState } from './cycle-state.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Status } from './status.js';

export const maxNodeScore = 100;

/** Cluster changes that may make a rejected pod schedulable (Kubernetes' ClusterEvent action types). */
export type ClusterEventKind =
  | 'NodeAdd'
  | 'NodeAllocatable'
  | 'NodeLabel'
  | 'NodeTaint'
  | 'NodeCondition'
  | 'NodeSpecUnschedulable'
  | 'PodDelete';

export interface ClusterEvent {
  readonly kind: ClusterEventKind;
  /** The node the event concerns, as it is after the change (for a pod deletion: the node it left). */
  readonly node?: NodeInfo;
}

export interface Plugin {
  readonly name: string;
}

export interface PreFilterPlugin extends Plugin {
  /** Success to run Filter, Skip when this pod has nothing for the plugin to check, or a rejection. */
  preFilter(state: CycleState, pod: PodInfo): Status;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
  /** Events after which a pod this plugin rejected may fit. */
  readonly events: readonly ClusterEventKind[];
}

export interface PreScorePlugin extends Plugin {
  /** Called once with the feasible nodes (the first `count` entries) before Score. */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], count: number): Status;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /**
   * Optional batch form of Score: writes the raw scores of the first `count` nodes into `out`. One
   * call per pod instead of one per node, so the plugin reads its cycle state once and its loop
   * stays monomorphic; must give the same numbers as `score`.
   */
  scoreAll?(
    state: CycleState,
    pod: PodInfo,
    nodes: readonly NodeInfo[],
    count: number,
    out: Float64Array,
  ): void;
  /** Rescales the first `count` raw scores in place to 0–maxNodeScore. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: Float64Array, count: number): void;
}

export interface WeightedScorePlugin {
  readonly plugin: ScorePlugin;
  readonly weight: number;
}

export function hasPreFilter(p: Plugin): p is PreFilterPlugin {
  return typeof (p as Partial<PreFilterPlugin>).preFilter === 'function';
}

export function hasPreScore(p: Plugin): p is PreScorePlugin {
  return typeof (p as Partial<PreScorePlugin>).preScore === 'function';
}
