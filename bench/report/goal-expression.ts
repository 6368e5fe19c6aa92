// Goal expressions of the goals table: a comparison against an arithmetic expression that may name
// the peer's figure, e.g. `>= 20000`, `<= 5`, `>= peer`, `>= 0.9 * peer`, `<= peer + 100`.
// Parsed by hand (no eval): numbers, `peer`, + - * / and parentheses.

export type Comparison = '>=' | '<=' | '>' | '<';

export interface GoalExpression {
  comparison: Comparison;
  /** The threshold, given the peer's figure (undefined when the peer is needed and missing). */
  target(peer: number | undefined): number | undefined;
  usesPeer: boolean;
  text: string;
}

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'peer' }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Node; right: Node };

function tokenize(text: string): string[] {
  const tokens = text.match(/\d+(?:\.\d+)?(?:e[+-]?\d+)?|peer|[-+*/()]|\S/g) ?? [];
  for (const t of tokens)
    if (!/^(\d|peer$|[-+*/()]$)/.test(t)) throw new SyntaxError(`goal "${text}": unexpected "${t}"`);
  return tokens;
}

function parseExpression(tokens: string[], text: string): Node {
  let pos = 0;
  const fail = (): never => {
    throw new SyntaxError(`goal "${text}": cannot parse near "${tokens[pos] ?? 'end'}"`);
  };
  const primary = (): Node => {
    const t = tokens[pos++];
    if (t === undefined) return fail();
    if (t === '(') {
      const inner = sum();
      if (tokens[pos++] !== ')') fail();
      return inner;
    }
    if (t === 'peer') return { kind: 'peer' };
    if (t === '-') return { kind: 'binary', op: '-', left: { kind: 'number', value: 0 }, right: primary() };
    const value = Number(t);
    return Number.isFinite(value) ? { kind: 'number', value } : fail();
  };
  const product = (): Node => {
    let left = primary();
    while (tokens[pos] === '*' || tokens[pos] === '/') {
      const op = tokens[pos++] as '*' | '/';
      left = { kind: 'binary', op, left, right: primary() };
    }
    return left;
  };
  const sum = (): Node => {
    let left = product();
    while (tokens[pos] === '+' || tokens[pos] === '-') {
      const op = tokens[pos++] as '+' | '-';
      left = { kind: 'binary', op, left, right: product() };
    }
    return left;
  };
  const node = sum();
  if (pos !== tokens.length) fail();
  return node;
}

function evaluate(node: Node, peer: number | undefined): number | undefined {
  if (node.kind === 'number') return node.value;
  if (node.kind === 'peer') return peer;
  const a = evaluate(node.left, peer);
  const b = evaluate(node.right, peer);
  if (a === undefined || b === undefined) return undefined;
  switch (node.op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? undefined : a / b;
  }
}

function mentionsPeer(node: Node): boolean {
  return (
    node.kind === 'peer' || (node.kind === 'binary' && (mentionsPeer(node.left) || mentionsPeer(node.right)))
  );
}

export function parseGoal(text: string): GoalExpression {
  const m = /^\s*(>=|<=|>|<)\s*(.+)$/.exec(text);
  if (!m) throw new SyntaxError(`goal "${text}": expected >=, <=, > or < first`);
  const node = parseExpression(tokenize(m[2]!), text);
  return {
    comparison: m[1] as Comparison,
    target: (peer) => evaluate(node, peer),
    usesPeer: mentionsPeer(node),
    text: text.trim(),
  };
}

export function meets(value: number, comparison: Comparison, target: number): boolean {
  switch (comparison) {
    case '>=':
      return value >= target;
    case '<=':
      return value <= target;
    case '>':
      return value > target;
    case '<':
      return value < target;
  }
}
