import { describe, expect, it } from 'vitest';
import { formatLabelSet, parseLabelSelector, selectorFromSet } from './labels.js';
import { errorOf } from './validation/testing.js';

const parseError = (text: string) => errorOf(() => parseLabelSelector(text));

describe('parseLabelSelector: canonical form', () => {
  it.each([
    ['', ''],
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['z=c,x=a', 'x=a,z=c'],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x==a', 'x=a'],
    ['x=', 'x='],
    ['x= ', 'x='],
    ['x=,z= ', 'x=,z='],
    ['x= ,z= ', 'x=,z='],
    ['!x', '!x'],
    ['  app  =  web  ,  tier != db ', 'app=web,tier!=db'],
    ['\tapp\n=\rweb', 'app=web'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['x in (b, a, b)', 'x in (a,b)'],
    ['x notin (a)', 'x notin (a)'],
    ['x in (,a)', 'x in (,a)'],
    ['x in (a,)', 'x in (,a)'],
    ['x in (a,,b)', 'x in (,a,b)'],
    ['example.com/app=web', 'example.com/app=web'],
    [
      '!example.com/gone,app.kubernetes.io/name in (a,b)',
      'app.kubernetes.io/name in (a,b),!example.com/gone',
    ],
    ['in=notin', 'in=notin'],
    ['notin in (in, notin)', 'notin in (in,notin)'],
    ['a_b.C-d=Val_1.x', 'a_b.C-d=Val_1.x'],
  ])('%j → %j', (text, canonical) => {
    expect(parseLabelSelector(text).toString()).toBe(canonical);
  });

  it('exposes typed requirements', () => {
    expect(parseLabelSelector('a=1,b!=2,c in (x),d notin (y),e,!f').requirements).toEqual([
      { key: 'a', operator: 'Equals', values: ['1'] },
      { key: 'b', operator: 'NotEquals', values: ['2'] },
      { key: 'c', operator: 'In', values: ['x'] },
      { key: 'd', operator: 'NotIn', values: ['y'] },
      { key: 'e', operator: 'Exists', values: [] },
      { key: 'f', operator: 'DoesNotExist', values: [] },
    ]);
    expect(parseLabelSelector('').isEmpty()).toBe(true);
    expect(parseLabelSelector('a').isEmpty()).toBe(false);
  });
});

describe('parseLabelSelector: errors are BadRequest with Kubernetes messages', () => {
  const nameRegex = "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'";
  it.each([
    [
      'x=a|y',
      "unable to parse requirement: values[0][x]: Invalid value: \"a|y\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
    ['x=a y=b', "found 'y', expected: ',' or 'end of string'"],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    ['a,,b', "found ',', expected: identifier after ','"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !="],
    ['x<a', "unable to parse requirement: found '<', expected: in, notin, =, ==, !="],
    ['x in', "unable to parse requirement: found '' expected: '('"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['x in (a,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['!=a', "found '!=', expected: !, identifier, or 'end of string'"],
  ])('%j', (text, message) => {
    const e = parseError(text);
    expect(e.reason).toBe('BadRequest');
    expect(e.httpCode).toBe(400);
    expect(e.message).toBe(message);
  });

  it('rejects invalid keys with the qualified-name message', () => {
    expect(parseError('app:monolith').message).toBe(
      `unable to parse requirement: <nil>: Invalid value: "app:monolith": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is ${nameRegex})`,
    );
    expect(parseError('a/b/c=d').message).toMatch(
      /^unable to parse requirement: <nil>: Invalid value: "a\/b\/c": a qualified name must/,
    );
    expect(parseError('Example.com/app=x').message).toMatch(/prefix part a lowercase RFC 1123 subdomain/);
    expect(parseError(`${'k'.repeat(64)}=v`).message).toMatch(/name part must be no more than 63 characters/);
    expect(parseError('/app').message).toMatch(/prefix part must be non-empty/);
  });

  it('rejects invalid values with the label-value message and the value path', () => {
    expect(parseError('app=-web').message).toBe(
      `unable to parse requirement: values[0][app]: Invalid value: "-web": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    );
    // Values are sorted before they are checked, so the index is that of the sorted list (as in Kubernetes).
    expect(parseError('app in (ok, bad/)').message).toMatch(/values\[0\]\[app\]: Invalid value: "bad\/"/);
    expect(parseError(`app=${'v'.repeat(64)}`).message).toMatch(/must be no more than 63 characters/);
  });
});

describe('LabelSelector.matches', () => {
  const cases: Array<[string, Record<string, string> | undefined, boolean]> = [
    ['', { x: 'y' }, true],
    ['', undefined, true],
    ['x=y', { x: 'y' }, true],
    ['x==y', { x: 'y' }, true],
    ['x=y,z=w', { x: 'y', z: 'w' }, true],
    ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
    ['notin=in', { notin: 'in' }, true],
    ['x', { x: 'z' }, true],
    ['x', { x: '' }, true],
    ['!x', { y: 'z' }, true],
    ['!x', undefined, true],
    ['x=', { x: '' }, true],
    ['x=z', {}, false],
    ['x=z', undefined, false],
    ['x=y', { x: 'z' }, false],
    ['x=y,z=w', { x: 'w', z: 'w' }, false],
    ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
    ['x', { y: 'z' }, false],
    ['!x', { x: 'z' }, false],
    // != and notin match objects without the key, as in Kubernetes.
    ['x!=y', {}, true],
    ['x!=y', undefined, true],
    ['x notin (a,b)', { y: 'a' }, true],
    ['x notin (a,b)', { x: 'c' }, true],
    ['x notin (a,b)', { x: 'b' }, false],
    ['x in (a,b)', { x: 'b' }, true],
    ['x in (a,b)', { x: 'c' }, false],
    ['x in (a,b)', {}, false],
    ['x in (,a)', { x: '' }, true],
    ['example.com/app=web,tier in (fe)', { 'example.com/app': 'web', tier: 'fe' }, true],
    ['toString=x', {}, false],
    ['constructor', {}, false],
  ];
  it.each(cases)('%j against %j → %s', (text, labels, expected) => {
    expect(parseLabelSelector(text).matches(labels)).toBe(expected);
  });
});

describe('selectorFromSet and formatLabelSet', () => {
  it('builds an equality selector, sorted', () => {
    const s = selectorFromSet({ tier: 'fe', app: 'web' });
    expect(s.toString()).toBe('app=web,tier=fe');
    expect(s.matches({ app: 'web', tier: 'fe', extra: '1' })).toBe(true);
    expect(s.matches({ app: 'web' })).toBe(false);
    expect(s.requirements.map((r) => r.operator)).toEqual(['Equals', 'Equals']);
  });

  it('selects everything for an empty or missing set', () => {
    expect(selectorFromSet(undefined).isEmpty()).toBe(true);
    expect(selectorFromSet({}).matches({ any: 'thing' })).toBe(true);
  });

  it('formats sets as sorted key=value pairs, like labels.Set.String()', () => {
    expect(formatLabelSet({ b: '2', a: '1' })).toBe('a=1,b=2');
    expect(formatLabelSet({ a: '1', 'a.b': '2' })).toBe('a.b=2,a=1');
    expect(formatLabelSet(undefined)).toBe('');
  });

  it('round-trips canonical strings through the parser', () => {
    for (const text of ['a=1,b!=2', 'x in (a,b),y notin (c)', '!gone,here']) {
      const once = parseLabelSelector(text).toString();
      expect(parseLabelSelector(once).toString()).toBe(once);
    }
  });
});
