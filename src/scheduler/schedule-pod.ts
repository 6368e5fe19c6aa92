// One scheduling decision, synchronous: PreFilter, then Filter over the nodes starting where the
// last pod stopped (round robin) until enough feasible nodes are found, then Score and pick the best
// (ties broken at random). Like Kubernetes, a large cluster is sampled: only
// numFeasibleNodesToFind(...) feasible nodes are scored, which keeps the cost per pod flat as nodes grow.

import type { Diagnosis } from './fit-error.js';
import type { SchedulerCache } from './framework/cache.js';
import { CycleState } from './framework/cycle-state.js';
import type { Framework } from './framework/framework.js';
import type { NodeInfo } from './framework/node-info.js';
import type { PodInfo } from './framework/pod-info.js';
import type { Status } from './framework/status.js';

export const minFeasibleNodesToFind = 100;
export const minFeasibleNodesPercentageToFind = 5;
const basePercentageOfNodesToScore = 50;

/**
 * How many feasible nodes to look for: all of them below 100 nodes; otherwise the configured
 * percentage, or adaptively 50% − nodes/125 (floor 5%), and never fewer than 100.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < minFeasibleNodesToFind || percentageOfNodesToScore >= 100) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) {
    percentage = Math.max(
      basePercentageOfNodesToScore - Math.trunc(numAllNodes / 125),
      minFeasibleNodesPercentageToFind,
    );
  }
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return Math.max(n, minFeasibleNodesToFind);
}

const noCounts: ReadonlyMap<Status, number> = new Map();
const noPlugins: ReadonlySet<string> = new Set();

export type ScheduleResult =
  | { kind: 'scheduled'; node: NodeInfo; evaluatedNodes: number; feasibleNodes: number }
  | { kind: 'unschedulable'; diagnosis: Diagnosis };

/** Records how long an extension point took (seconds) with its outcome. */
export type PhaseTimer = (extensionPoint: string, seconds: number, status: string) => void;

export interface PodSchedulerOptions {
  cache: SchedulerCache;
  framework: Framework;
  /** 0 (default) = adaptive; 1–100 fixes the share of nodes to score. */
  percentageOfNodesToScore?: number;
  random?: () => number;
  observePhase?: PhaseTimer;
}

export class PodScheduler {
  private readonly cache: SchedulerCache;
  private readonly framework: Framework;
  private readonly percentage: number;
  private readonly random: () => number;
  private readonly observe: PhaseTimer;
  private nextStartNodeIndex = 0;
  /** Reused between pods: the feasible nodes of the current cycle. */
  private feasible: NodeInfo[] = [];

  constructor(options: PodSchedulerOptions) {
    this.cache = options.cache;
    this.framework = options.framework;
    this.percentage = options.percentageOfNodesToScore ?? 0;
    this.random = options.random ?? Math.random;
    this.observe = options.observePhase ?? (() => {});
  }

  schedule(pod: PodInfo): ScheduleResult {
    const nodes = this.cache.nodeList();
    const numAll = nodes.length;
    const state = new CycleState();
    // Built only when the pod is rejected somewhere: most pods fit on the first nodes tried.
    const diagnosis: Diagnosis = {
      numAllNodes: numAll,
      statusCounts: noCounts,
      unschedulablePlugins: noPlugins,
    };

    let t = performance.now();
    const pre = this.framework.runPreFilter(state, pod);
    this.observe('PreFilter', (performance.now() - t) / 1000, pre.status.code);
    if (!pre.status.isSuccess()) {
      diagnosis.preFilterMessage = pre.status.message();
      diagnosis.unschedulablePlugins = new Set([pre.status.plugin]);
      return { kind: 'unschedulable', diagnosis };
    }
    if (numAll === 0) return { kind: 'unschedulable', diagnosis };

    t = performance.now();
    const want = numFeasibleNodesToFind(numAll, this.percentage);
    const feasible = this.feasible;
    const filters = pre.filters;
    let found = 0;
    let processed = 0;
    const start = this.nextStartNodeIndex % numAll;
    for (; processed < numAll && found < want; processed++) {
      let i = start + processed;
      if (i >= numAll) i -= numAll;
      const node = nodes[i]!;
      const s: Status = this.framework.runFilters(state, pod, node, filters);
      if (s.code === 'Success') feasible[found++] = node;
      else {
        if (diagnosis.statusCounts === noCounts) {
          diagnosis.statusCounts = new Map();
          diagnosis.unschedulablePlugins = new Set();
        }
        const counts = diagnosis.statusCounts as Map<Status, number>;
        counts.set(s, (counts.get(s) ?? 0) + 1);
        (diagnosis.unschedulablePlugins as Set<string>).add(s.plugin);
      }
    }
    this.nextStartNodeIndex = (start + processed) % numAll;
    this.observe('Filter', (performance.now() - t) / 1000, found ? 'Success' : 'Unschedulable');
    if (found === 0) return { kind: 'unschedulable', diagnosis };

    let chosen = feasible[0]!;
    if (found > 1) {
      t = performance.now();
      const scores = this.framework.runScores(state, pod, feasible, found);
      chosen = feasible[this.selectHost(scores, found)]!;
      this.observe('Score', (performance.now() - t) / 1000, 'Success');
    }
    return { kind: 'scheduled', node: chosen, evaluatedNodes: processed, feasibleNodes: found };
  }

  /** Index of the highest score; among equals, each is equally likely (reservoir sampling). */
  private selectHost(scores: Float64Array, count: number): number {
    let best = 0;
    let max = scores[0]!;
    let ties = 1;
    for (let i = 1; i < count; i++) {
      const s = scores[i]!;
      if (s > max) {
        max = s;
        best = i;
        ties = 1;
      } else if (s === max) {
        ties++;
        if (this.random() * ties < 1) best = i;
      }
    }
    return best;
  }
}
