// Label selectors with the grammar and messages of k8s.io/apimachinery/pkg/labels:
//   selector    = [ requirement { "," requirement } ]
//   requirement = [ "!" ] key | key ( "=" | "==" | "!=" ) [ value ] | key ( "in" | "notin" ) "(" values ")"
// Keys are qualified names (`example.com/app`), values are label values; whitespace separates tokens.
// Matching follows Kubernetes: `!=` and `notin` also match objects that lack the key.
import { badRequest } from './errors.js';
import { isQualifiedName, isValidLabelValue } from './validation/names.js';

export type LabelOperator = 'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** True when the selector has no requirement, so it matches everything. */
  isEmpty(): boolean;
  /** Canonical form: requirements sorted by key, values sorted. */
  toString(): string;
}

type Labels = Readonly<Record<string, string>> | undefined;

function has(labels: Labels, key: string): boolean {
  return labels !== undefined && Object.hasOwn(labels, key);
}

export function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  switch (r.operator) {
    case 'Equals':
    case 'In':
      return has(labels, r.key) && r.values.includes(labels![r.key]!);
    case 'NotEquals':
    case 'NotIn':
      return !has(labels, r.key) || !r.values.includes(labels![r.key]!);
    case 'Exists':
      return has(labels, r.key);
    case 'DoesNotExist':
      return !has(labels, r.key);
  }
}

export function requirementToString(r: LabelRequirement): string {
  const values = [...r.values].sort().join(',');
  switch (r.operator) {
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    case 'Equals':
      return `${r.key}=${values}`;
    case 'NotEquals':
      return `${r.key}!=${values}`;
    case 'In':
      return `${r.key} in (${values})`;
    case 'NotIn':
      return `${r.key} notin (${values})`;
  }
}

class RequirementSelector implements LabelSelector {
  readonly requirements: readonly LabelRequirement[];

  constructor(requirements: LabelRequirement[]) {
    // Stable sort by key, as Kubernetes does, so the canonical string is deterministic.
    this.requirements = requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  matches(labels: Labels): boolean {
    for (const r of this.requirements) if (!requirementMatches(r, labels)) return false;
    return true;
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }
}

/** A selector that matches every object. */
export function everything(): LabelSelector {
  return new RequirementSelector([]);
}

// ------------------------------------------------------------------ lexer

type TokenKind =
  | 'identifier'
  | 'in'
  | 'notin'
  | '!'
  | '!='
  | '='
  | '=='
  | '('
  | ')'
  | ','
  | '>'
  | '<'
  | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly literal: string;
}

const specialSymbols = new Set(['=', '!', '(', ')', ',', '>', '<']);
const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (true) {
    while (pos < text.length && isWhitespace(text[pos]!)) pos++;
    if (pos >= text.length) {
      tokens.push({ kind: 'end', literal: '' });
      return tokens;
    }
    const ch = text[pos]!;
    if (specialSymbols.has(ch)) {
      // Longest match: "!=" and "==" before "!" and "=".
      const two = text.slice(pos, pos + 2);
      if (two === '!=' || two === '==') {
        tokens.push({ kind: two, literal: two });
        pos += 2;
      } else {
        tokens.push({ kind: ch as TokenKind, literal: ch });
        pos += 1;
      }
      continue;
    }
    const start = pos;
    while (pos < text.length && !isWhitespace(text[pos]!) && !specialSymbols.has(text[pos]!)) pos++;
    const literal = text.slice(start, pos);
    const kind: TokenKind = literal === 'in' ? 'in' : literal === 'notin' ? 'notin' : 'identifier';
    tokens.push({ kind, literal });
  }
}

// ------------------------------------------------------------------ parser

class SelectorSyntaxError extends Error {}

const binaryOperators = 'in, notin, =, ==, !=';

class Parser {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  /** In value position the keywords `in` and `notin` are ordinary identifiers. */
  private peek(asValue = true): Token {
    const t = this.tokens[this.pos]!;
    return asValue && (t.kind === 'in' || t.kind === 'notin')
      ? { kind: 'identifier', literal: t.literal }
      : t;
  }

  private next(asValue = true): Token {
    const t = this.peek(asValue);
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'end') return requirements;
      if (t.kind !== 'identifier' && t.kind !== '!') {
        throw new SelectorSyntaxError(`found '${t.literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (e) {
        if (e instanceof SelectorSyntaxError)
          throw new SelectorSyntaxError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const after = this.next();
      if (after.kind === 'end') return requirements;
      if (after.kind !== ',') {
        throw new SelectorSyntaxError(`found '${after.literal}', expected: ',' or 'end of string'`);
      }
      const following = this.peek();
      if (following.kind !== 'identifier' && following.kind !== '!') {
        throw new SelectorSyntaxError(`found '${following.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    let operator: LabelOperator | undefined;
    let t = this.next();
    if (t.kind === '!') {
      operator = 'DoesNotExist';
      t = this.next();
    }
    if (t.kind !== 'identifier') throw new SelectorSyntaxError(`found '${t.literal}', expected: identifier`);
    const key = t.literal;
    checkKey(key);
    const ahead = this.peek().kind;
    if (operator === 'DoesNotExist') return { key, operator, values: [] };
    if (ahead === 'end' || ahead === ',') return { key, operator: 'Exists', values: [] };

    const op = this.next(false);
    let values: string[];
    switch (op.kind) {
      case 'in':
      case 'notin':
        operator = op.kind === 'in' ? 'In' : 'NotIn';
        values = this.parseValues();
        break;
      case '=':
      case '==':
      case '!=':
        operator = op.kind === '!=' ? 'NotEquals' : 'Equals';
        values = [this.parseExactValue()];
        break;
      default:
        throw new SelectorSyntaxError(`found '${op.literal}', expected: ${binaryOperators}`);
    }
    values = [...new Set(values)].sort();
    for (const [i, v] of values.entries()) checkValue(key, v, i);
    return { key, operator, values };
  }

  private parseValues(): string[] {
    const open = this.next();
    if (open.kind !== '(') throw new SelectorSyntaxError(`found '${open.literal}' expected: '('`);
    const first = this.peek();
    if (first.kind === ')') {
      this.next();
      return [''];
    }
    if (first.kind !== 'identifier' && first.kind !== ',') {
      throw new SelectorSyntaxError(`found '${first.literal}', expected: ',', ')' or identifier`);
    }
    const values = this.parseIdentifierList();
    const close = this.next();
    if (close.kind !== ')') throw new SelectorSyntaxError(`found '${first.literal}', expected: ')'`);
    return values;
  }

  /** `a,b`, with empty values where commas meet: `(,a)`, `(a,,b)`, `(a,)`. */
  private parseIdentifierList(): string[] {
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'identifier') {
        values.push(t.literal);
        const ahead = this.peek();
        if (ahead.kind === ',') continue;
        if (ahead.kind === ')') return values;
        throw new SelectorSyntaxError(`found '${ahead.literal}', expected: ',' or ')'`);
      }
      if (t.kind === ',') {
        if (values.length === 0) values.push('');
        const ahead = this.peek();
        if (ahead.kind === ')') {
          values.push('');
          return values;
        }
        if (ahead.kind === ',') {
          this.next();
          values.push('');
        }
        continue;
      }
      throw new SelectorSyntaxError(`found '${t.literal}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string {
    const ahead = this.peek();
    if (ahead.kind === 'end' || ahead.kind === ',') return '';
    const t = this.next();
    if (t.kind === 'identifier') return t.literal;
    throw new SelectorSyntaxError(`found '${t.literal}', expected: identifier`);
  }
}

function checkKey(key: string): void {
  const errs = isQualifiedName(key);
  if (errs.length > 0)
    throw new SelectorSyntaxError(`<nil>: Invalid value: ${JSON.stringify(key)}: ${errs.join('; ')}`);
}

function checkValue(key: string, value: string, index: number): void {
  const errs = isValidLabelValue(value);
  if (errs.length > 0) {
    throw new SelectorSyntaxError(
      `values[${index}][${key}]: Invalid value: ${JSON.stringify(value)}: ${errs.join('; ')}`,
    );
  }
}

/** Parses a label selector; '' selects everything. Throws ApiError BadRequest with Kubernetes' message. */
export function parseLabelSelector(text: string): LabelSelector {
  try {
    return new RequirementSelector(new Parser(lex(text)).parse());
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw badRequest(e.message);
    throw e;
  }
}

/** The equality selector of a label set (an RC's or a service's selector); an empty set selects everything. */
export function selectorFromSet(set: Readonly<Record<string, string>> | undefined): LabelSelector {
  const requirements: LabelRequirement[] = Object.entries(set ?? {}).map(([key, value]) => ({
    key,
    operator: 'Equals',
    values: [value],
  }));
  return new RequirementSelector(requirements);
}

/** "a=1,b=2", sorted: the form of `kubectl get --show-labels` and of Scale's status.selector. */
export function formatLabelSet(set: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(set ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join(',');
}
