// A profile's plugins run per extension point. The framework owns the order (filters run in the
// configured order and stop at the first rejection per node, as Kubernetes' RunFilterPlugins) and the
// score buffers, which are reused from pod to pod so scoring allocates nothing per node.
import type { CycleState } from './cycle-state.js';
import {
  type ClusterEventKind,
  type FilterPlugin,
  hasPreFilter,
  hasPreScore,
  maxNodeScore,
  type WeightedScorePlugin,
} from './interface.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import { type Status, success } from './status.js';

export interface ProfileConfig {
  schedulerName: string;
  /** In evaluation order; cheap, decisive checks first. */
  filters: readonly FilterPlugin[];
  scores: readonly WeightedScorePlugin[];
}

export interface PreFilterResult {
  /** Success, or the rejection that applies to every node. */
  status: Status;
  /** Filters to run for this pod (those whose PreFilter did not return Skip). */
  filters: readonly FilterPlugin[];
}

export class Framework {
  readonly schedulerName: string;
  readonly filters: readonly FilterPlugin[];
  readonly scores: readonly WeightedScorePlugin[];
  private scratch = new Float64Array(0);
  private totals = new Float64Array(0);

  constructor(config: ProfileConfig) {
    this.schedulerName = config.schedulerName;
    this.filters = config.filters;
    this.scores = config.scores;
  }

  /** Filter plugin names and the events each registered. */
  pluginEvents(): ReadonlyMap<string, readonly ClusterEventKind[]> {
    return new Map(this.filters.map((f) => [f.name, f.events]));
  }

  runPreFilter(state: CycleState, pod: PodInfo): PreFilterResult {
    let active: FilterPlugin[] | undefined;
    for (let i = 0; i < this.filters.length; i++) {
      const f = this.filters[i]!;
      if (!hasPreFilter(f)) {
        active?.push(f);
        continue;
      }
      const s = f.preFilter(state, pod);
      if (s.code === 'Skip') {
        active ??= this.filters.slice(0, i);
        continue;
      }
      if (!s.isSuccess()) {
        s.plugin ||= f.name;
        return { status: s, filters: [] };
      }
      active?.push(f);
    }
    return { status: success, filters: active ?? this.filters };
  }

  /** The first rejection among `filters` for this node, or success. */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo, filters: readonly FilterPlugin[]): Status {
    for (let i = 0; i < filters.length; i++) {
      const s = filters[i]!.filter(state, pod, node);
      if (s !== success && !s.isSuccess()) {
        s.plugin ||= filters[i]!.name;
        return s;
      }
    }
    return success;
  }

  /**
   * Weighted sum of normalized scores for the first `count` nodes. The returned array is the
   * framework's own buffer: read it before the next call.
   */
  runScores(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], count: number): Float64Array {
    if (this.totals.length < count) {
      const size = Math.max(count, this.totals.length * 2, 64);
      this.totals = new Float64Array(size);
      this.scratch = new Float64Array(size);
    }
    const totals = this.totals;
    totals.fill(0, 0, count);
    for (const { plugin, weight } of this.scores) {
      if (hasPreScore(plugin) && plugin.preScore(state, pod, nodes, count).code === 'Skip') continue;
      const scores = this.scratch;
      if (plugin.scoreAll) plugin.scoreAll(state, pod, nodes, count, scores);
      else for (let i = 0; i < count; i++) scores[i] = plugin.score(state, pod, nodes[i]!);
      plugin.normalizeScore?.(state, pod, scores, count);
      for (let i = 0; i < count; i++) {
        const s = scores[i]!;
        totals[i]! += weight * Math.max(0, Math.min(s, maxNodeScore));
      }
    }
    return totals;
  }
}
