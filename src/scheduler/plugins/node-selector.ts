// NodeSelector (Kubernetes' NodeAffinity filter): the node's labels must carry every pair of the
// pod's spec.nodeSelector and satisfy one of the terms of its required node affinity.
// Pods with neither skip the check. The requirement is compiled once per pod in PreFilter.
import type { CycleState } from '../framework/cycle-state.js';
import type { FilterPlugin, PreFilterPlugin } from '../framework/interface.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { type Status, skip, success, unresolvable } from '../framework/status.js';

export const nodeSelectorName = 'NodeSelector';
export const errNodeSelector = "node(s) didn't match Pod's node affinity/selector";

const rejected = unresolvable(nodeSelectorName, errNodeSelector);
const stateKey = 'PreFilter/NodeSelector';

type NodeMatcher = (labels: Readonly<Record<string, string>>, nodeName: string) => boolean;

interface Requirement {
  key?: string;
  operator?: string;
  values?: string[];
}
interface Term {
  matchExpressions?: Requirement[];
  matchFields?: Requirement[];
}

export function createNodeSelector(): FilterPlugin & PreFilterPlugin {
  return {
    name: nodeSelectorName,
    events: ['NodeAdd', 'NodeLabel'],
    preFilter(state, pod): Status {
      const matcher = compile(pod);
      if (!matcher) return skip;
      state.write(stateKey, matcher);
      return success;
    },
    filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
      const matcher = state.read<NodeMatcher>(stateKey) ?? compile(pod);
      return !matcher || matcher(node.labels, node.name) ? success : rejected;
    },
  };
}

/** The pod's node requirement as one function, or undefined when it has none. */
export function compile(pod: PodInfo): NodeMatcher | undefined {
  const selector = Object.entries(pod.pod.spec.nodeSelector ?? {});
  const required = (pod.pod.spec.affinity as any)?.nodeAffinity
    ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms as Term[] | undefined;
  if (selector.length === 0 && !required) return undefined;
  const terms = required?.map(compileTerm);
  return (labels, nodeName) => {
    for (const [k, v] of selector) if (labels[k] !== v) return false;
    return !terms || terms.some((t) => t(labels, nodeName));
  };
}

function compileTerm(term: Term): NodeMatcher {
  const exprs = (term.matchExpressions ?? []).map((r) => compileRequirement(r));
  const fields = (term.matchFields ?? []).map((r) => compileRequirement(r));
  // An empty term selects no node (Kubernetes' NodeSelectorTerm semantics).
  if (exprs.length === 0 && fields.length === 0) return () => false;
  return (labels, nodeName) =>
    exprs.every((m) => m(labels)) && fields.every((m) => m({ 'metadata.name': nodeName }));
}

function compileRequirement(r: Requirement): (labels: Readonly<Record<string, string>>) => boolean {
  const key = r.key ?? '';
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return (l) => l[key] !== undefined && values.includes(l[key]!);
    case 'NotIn':
      return (l) => l[key] === undefined || !values.includes(l[key]!);
    case 'Exists':
      return (l) => l[key] !== undefined;
    case 'DoesNotExist':
      return (l) => l[key] === undefined;
    case 'Gt':
    case 'Lt': {
      const bound = Number.parseInt(values[0] ?? '', 10);
      return (l) => {
        const v = l[key] === undefined ? Number.NaN : Number.parseInt(l[key]!, 10);
        if (Number.isNaN(v) || Number.isNaN(bound)) return false;
        return r.operator === 'Gt' ? v > bound : v < bound;
      };
    }
    default:
      return () => false;
  }
}
