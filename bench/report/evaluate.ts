// Turns the goals table and the benchmarks' JSON into rows: our figure, the peer's, both ratios
// (to the peer and to the goal's threshold) and a verdict. Nothing here throws on odd JSON: a
// figure that is absent is a row marked missing.
import { type Comparison, meets, parseGoal } from './goal-expression.js';
import type { Goal } from './goals.js';
import { fill, resolve } from './json-path.js';

export type Verdict = 'met' | 'missed' | 'missing' | 'no-goal';

export interface Row {
  bench: string;
  figure: string;
  unit: string;
  value?: number;
  peerName?: string;
  peerValue?: number;
  /** value ÷ peer. */
  vsPeer?: number;
  goal?: string;
  /** The goal's threshold for this row (the peer's figure folded in). */
  target?: number;
  comparison?: Comparison;
  /** value ÷ target. */
  vsGoal?: number;
  verdict: Verdict;
  /** Why the row is missing. */
  note?: string;
  source?: string;
}

const asNumber = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && b !== 0 ? a / b : undefined;

/** Unbound placeholders of a label become `*` so a missing row still reads sensibly. */
const label = (template: string, bindings: Record<string, string>) =>
  fill(template, bindings).replace(/\{(\w+)(?::[^}]*)?\}/g, '*');

function rowsOf(goal: Goal, json: unknown): Row[] {
  const expression = goal.goal === undefined ? undefined : parseGoal(goal.goal);
  const base = { bench: goal.bench, unit: goal.unit, goal: goal.goal, source: goal.source };
  const matches = resolve(json, goal.path);
  if (matches.length === 0)
    return [{ ...base, figure: label(goal.figure, {}), verdict: 'missing', note: 'not in the JSON' }];
  return matches.map((m): Row => {
    const value = asNumber(m.value);
    const peerValue = goal.peer ? asNumber(resolve(json, goal.peer.path, m.bindings)[0]?.value) : undefined;
    const target = expression?.target(peerValue);
    const row: Row = {
      ...base,
      figure: label(goal.figure, m.bindings),
      value,
      peerName: goal.peer ? label(goal.peer.name, m.bindings) : undefined,
      peerValue,
      vsPeer: ratio(value, peerValue),
      target,
      comparison: expression?.comparison,
      vsGoal: ratio(value, target),
      verdict: 'no-goal',
    };
    if (value === undefined) return { ...row, verdict: 'missing', note: 'not a number' };
    if (!expression) return row;
    if (target === undefined)
      return { ...row, verdict: 'missing', note: `${row.peerName ?? 'peer'} missing` };
    return { ...row, verdict: meets(value, expression.comparison, target) ? 'met' : 'missed' };
  });
}

/** Rows for every goal of the benchmarks that produced JSON; a benchmark without JSON gets one
 * missing row per goal so the summary still says what was expected. */
export function evaluateGoals(goals: Goal[], results: Map<string, unknown>, why: Map<string, string>): Row[] {
  return goals.flatMap((goal) => {
    const json = results.get(goal.bench);
    if (json === undefined) {
      const note = why.get(goal.bench) ?? 'not run';
      return [
        {
          bench: goal.bench,
          figure: label(goal.figure, {}),
          unit: goal.unit,
          goal: goal.goal,
          verdict: 'missing',
          note,
          source: goal.source,
        },
      ];
    }
    return rowsOf(goal, json);
  });
}
