import { describe, expect, it } from 'vitest';
import { createCauses, type Mutable, summary } from './testing.js';

const validEndpoints = (): Mutable => ({
  metadata: { name: 'web', namespace: 'default' },
  subsets: [{ addresses: [{ ip: '10.0.0.5', nodeName: 'node-1' }], ports: [{ port: 8080 }] }],
});
const ep = (mutate: (e: Mutable) => void) => createCauses('endpoints', validEndpoints(), mutate);

describe('endpoints validation', () => {
  it('accepts valid endpoints, including loopback pod IPs of the process runtime and no subsets', () => {
    expect(ep(() => {})).toEqual([]);
    expect(ep((e) => (e.subsets[0].addresses[0].ip = '127.0.1.5'))).toEqual([]);
    expect(ep((e) => (e.subsets[0].addresses[0].ip = 'fd00::5'))).toEqual([]);
    expect(ep((e) => delete e.subsets)).toEqual([]);
  });

  it.each<[string, (e: Mutable) => void, string[]]>([
    ['addresses required', (e) => (e.subsets[0].addresses = []), ['subsets[0] FieldValueRequired']],
    ['not-ready addresses count', (e) => (e.subsets[0] = { notReadyAddresses: [{ ip: '10.0.0.6' }] }), []],
    [
      'IP syntax',
      (e) => (e.subsets[0].addresses[0].ip = '10.0.0.256'),
      ['subsets[0].addresses[0].ip FieldValueInvalid'],
    ],
    [
      'no unspecified IP',
      (e) => (e.subsets[0].addresses[0].ip = '0.0.0.0'),
      ['subsets[0].addresses[0].ip FieldValueInvalid'],
    ],
    [
      'node name',
      (e) => (e.subsets[0].addresses[0].nodeName = 'Node 1'),
      ['subsets[0].addresses[0].nodeName FieldValueInvalid'],
    ],
    ['port range', (e) => (e.subsets[0].ports[0].port = 0), ['subsets[0].ports[0].port FieldValueInvalid']],
    [
      'port names required with several ports',
      (e) => e.subsets[0].ports.push({ name: 'b', port: 81 }),
      ['subsets[0].ports[0].name FieldValueRequired'],
    ],
    [
      'protocol values',
      (e) => (e.subsets[0].ports[0].protocol = 'ICMP'),
      ['subsets[0].ports[0].protocol FieldValueNotSupported'],
    ],
  ])('%s', (_name, mutate, expected) => {
    expect(summary(ep(mutate))).toEqual(expected);
  });
});
