import { describe, expect, it } from 'vitest';
import { parseTokenFile } from './token-file.js';

describe('token file', () => {
  it('reads Kubernetes --token-auth-file rows', () => {
    const tokens = parseTokenFile(
      [
        '# comment',
        'abc123,alice,1001,"dev,ops"',
        'def456,bob,1002',
        '',
        ',ignored,3',
        'abc123,alice2,1003,admins',
        '"q,uoted",carol,1004,"a ""b"""',
      ].join('\n'),
    );
    expect(tokens.get('abc123')).toEqual({
      name: 'alice2',
      uid: '1003',
      groups: ['admins', 'system:authenticated'],
    });
    expect(tokens.get('def456')).toEqual({ name: 'bob', uid: '1002', groups: ['system:authenticated'] });
    expect(tokens.get('q,uoted')?.groups).toEqual(['a "b"', 'system:authenticated']);
    expect(tokens.size).toBe(3);
  });

  it('rejects rows with too few columns or broken quotes', () => {
    expect(() => parseTokenFile('abc,alice')).toThrow(/at least 3 columns/);
    expect(() => parseTokenFile('abc,alice,1,"dev')).toThrow(/unterminated/);
    expect(() => parseTokenFile('abc,,1')).toThrow(/user name is empty/);
  });
});
