import { describe, expect, it } from 'vitest';
import type { EndpointAddress, EndpointSubset } from '../../api/types.js';
import { repackSubsets, sameSubsets } from './subsets.js';

const addr = (ip: string, uid = `uid-${ip}`): EndpointAddress => ({
  ip,
  targetRef: { kind: 'Pod', namespace: 'default', name: `pod-${ip}`, uid },
});
const http = { name: 'http', port: 8080, protocol: 'TCP' as const };
const metrics = { name: 'metrics', port: 9100, protocol: 'TCP' as const };

describe('repackSubsets', () => {
  it('groups ports served by the same addresses and sorts addresses and ports', () => {
    const input: EndpointSubset[] = [
      { addresses: [addr('10.0.0.2')], ports: [metrics] },
      { addresses: [addr('10.0.0.1')], ports: [http] },
      { addresses: [addr('10.0.0.2')], ports: [http] },
      { addresses: [addr('10.0.0.1')], ports: [metrics] },
    ];
    expect(repackSubsets(input)).toEqual([
      { addresses: [addr('10.0.0.1'), addr('10.0.0.2')], ports: [http, metrics] },
    ]);
  });

  it('splits subsets where the same port name maps to different numbers, and by readiness', () => {
    const input: EndpointSubset[] = [
      { addresses: [addr('10.0.0.1')], ports: [http] },
      { addresses: [addr('10.0.0.2')], ports: [{ ...http, port: 9090 }] },
      { notReadyAddresses: [addr('10.0.0.3')], ports: [http] },
    ];
    expect(repackSubsets(input)).toEqual([
      { addresses: [addr('10.0.0.1')], notReadyAddresses: [addr('10.0.0.3')], ports: [http] },
      { addresses: [addr('10.0.0.2')], ports: [{ ...http, port: 9090 }] },
    ]);
  });

  it('is independent of input order and treats ready as winning over not ready', () => {
    const a: EndpointSubset[] = [
      { notReadyAddresses: [addr('10.0.0.1')], ports: [http] },
      { addresses: [addr('10.0.0.1')], ports: [http] },
      { addresses: [addr('10.0.0.9')], ports: [metrics, http] },
    ];
    const b = [...a].reverse();
    expect(JSON.stringify(repackSubsets(a))).toBe(JSON.stringify(repackSubsets(b)));
    expect(repackSubsets(a)[0]!.notReadyAddresses).toBeUndefined();
    expect(sameSubsets(a, b)).toBe(true);
    expect(sameSubsets(a, [{ addresses: [addr('10.0.0.1')], ports: [http] }])).toBe(false);
  });

  it('keeps port-less subsets (headless services) and drops empty input', () => {
    expect(repackSubsets([{ addresses: [addr('10.0.0.2')] }, { addresses: [addr('10.0.0.1')] }])).toEqual([
      { addresses: [addr('10.0.0.1'), addr('10.0.0.2')] },
    ]);
    expect(repackSubsets(undefined)).toEqual([]);
    expect(repackSubsets([])).toEqual([]);
  });
});
