import { describe, expect, it } from 'vitest';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  nameIsDNSSubdomain,
} from './names.js';

describe('DNS names', () => {
  it.each(['a', 'ab', 'a-b', '0', '1-a', 'a'.repeat(63)])('label %j is valid', (v) => {
    expect(isDNS1123Label(v)).toEqual([]);
  });
  it.each(['', 'A', '-a', 'a-', 'a_b', 'a.b', 'a'.repeat(64)])('label %j is invalid', (v) => {
    expect(isDNS1123Label(v).length).toBeGreaterThan(0);
  });
  it('explains dots in labels', () => {
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots']);
    expect(isDNS1123Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });
  it.each(['a', 'a.b', 'a-b.c-d', 'example.com', `${'a'.repeat(63)}.${'b'.repeat(63)}`])(
    'subdomain %j is valid',
    (v) => {
      expect(isDNS1123Subdomain(v)).toEqual([]);
    },
  );
  it.each(['', 'a..b', '.a', 'a.', 'A.b', 'a_b', 'a'.repeat(254)])('subdomain %j is invalid', (v) => {
    expect(isDNS1123Subdomain(v).length).toBeGreaterThan(0);
  });
  it.each([
    ['web', true],
    ['w-1', true],
    ['1web', false],
    ['web-', false],
    ['Web', false],
  ])('DNS-1035 label %j → %s', (v, ok) => {
    expect(isDNS1035Label(v).length === 0).toBe(ok);
  });
  it('lets generateName prefixes end with a dash', () => {
    expect(nameIsDNSSubdomain('web-', true)).toEqual([]);
    expect(nameIsDNSSubdomain('web-', false).length).toBe(1);
  });
});

describe('qualified names and label values', () => {
  it.each(['a', 'A', 'a.b_c-D', 'example.com/app', 'k8s.io/a', `${'p'.repeat(253)}/${'n'.repeat(63)}`])(
    '%j is valid',
    (v) => {
      expect(isQualifiedName(v)).toEqual([]);
    },
  );
  it.each([
    ['', ['name part must be non-empty']],
    ['/a', ['prefix part must be non-empty']],
    ['a/', ['name part must be non-empty']],
  ])('%j', (v, firstMessages) => {
    expect(isQualifiedName(v).slice(0, 1)).toEqual(firstMessages);
  });
  it.each(['a/b/c', '-a', 'a-', 'a b', 'Example.com/a', 'n'.repeat(64)])('%j is invalid', (v) => {
    expect(isQualifiedName(v).length).toBeGreaterThan(0);
  });
  it('label values may be empty, at most 63 characters', () => {
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('v1.2_3-a')).toEqual([]);
    expect(isValidLabelValue('v'.repeat(63))).toEqual([]);
    expect(isValidLabelValue('v'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(isValidLabelValue('a/b').length).toBe(1);
  });
});

describe('ports, env names, IPs', () => {
  it('port names follow IANA_SVC_NAME', () => {
    expect(isValidPortName('http')).toEqual([]);
    expect(isValidPortName('http-2')).toEqual([]);
    expect(isValidPortName('8080')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('HTTP')).toEqual([
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]);
    expect(isValidPortName('a--b')).toEqual(['must not contain consecutive hyphens']);
    expect(isValidPortName('-a')).toEqual(['must not begin or end with a hyphen']);
    expect(isValidPortName('a'.repeat(16))).toEqual(['must be no more than 15 characters']);
  });
  it('env names are printable ASCII without "="', () => {
    expect(isRelaxedEnvVarName('MY_VAR.1-x')).toEqual([]);
    expect(isRelaxedEnvVarName('1 with space')).toEqual([]);
    expect(isRelaxedEnvVarName('A=B')).toHaveLength(1);
    expect(isRelaxedEnvVarName('tab\t')).toHaveLength(1);
    expect(isRelaxedEnvVarName('é')).toHaveLength(1);
    expect(isRelaxedEnvVarName('')).toEqual(['environment variable name must be non-empty']);
  });
  it.each([
    ['10.0.0.1', true],
    ['127.0.1.5', true],
    ['255.255.255.255', true],
    ['256.0.0.1', false],
    ['01.2.3.4', false],
    ['1.2.3', false],
    ['::1', true],
    ['fd00::5', true],
    ['2001:db8::ffff', true],
    ['::ffff:10.0.0.1', true],
    ['1:2:3:4:5:6:7:8', true],
    ['1:2:3:4:5:6:7:8:9', false],
    ['1::2::3', false],
    ['fd00::g', false],
    ['', false],
    ['localhost', false],
  ])('IP %j → %s', (ip, ok) => {
    expect(isValidIP(ip)).toBe(ok);
  });
});
