import { describe, expect, it } from 'vitest';
import { checkNesting, jsonNesting, yamlNesting } from './nesting.js';

describe('body nesting', () => {
  it('measures JSON depth outside strings', () => {
    expect(jsonNesting('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonNesting('{"a":"[[[[[[\\"[[["}')).toBe(1);
    expect(jsonNesting('[]')).toBe(1);
    expect(jsonNesting('42')).toBe(0);
  });

  it('bounds YAML block and flow nesting', () => {
    expect(yamlNesting('a:\n  b:\n    c: 1\n')).toBeLessThan(10);
    expect(yamlNesting(`${'- '.repeat(2000)}x`)).toBeGreaterThan(1000);
    expect(yamlNesting(`k: ${'['.repeat(2000)}`)).toBeGreaterThan(1000);
    expect(yamlNesting("k: '[[[[[[[['")).toBeLessThan(10);
  });

  it('refuses bodies deeper than the limit with a 400', () => {
    expect(() => checkNesting(`${'['.repeat(1001)}${']'.repeat(1001)}`, 'json')).toThrow(/deeper than 1000/);
    expect(() => checkNesting(`${'['.repeat(1000)}${']'.repeat(1000)}`, 'json')).not.toThrow();
  });
});
