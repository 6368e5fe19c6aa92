import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../api/defaults.js';
import type { Endpoints, KubeObject, Service } from '../../api/types.js';
import {
  type ApiServerEndpoint,
  desiredEndpoints,
  desiredService,
  desiredSubsets,
  endpointsRepair,
  serviceRepair,
} from './kubernetes-service.js';

const a: ApiServerEndpoint = { ip: '127.0.0.1', port: 6443, portName: 'https' };
const b: ApiServerEndpoint = { ip: '127.0.0.1', port: 7443, portName: 'https' };
const c: ApiServerEndpoint = { ip: '10.0.0.9', port: 6443, portName: 'https' };

/** As stored: the apiserver's defaults applied. */
function stored(svc: Service): Service {
  const obj = structuredClone(svc) as unknown as KubeObject;
  applyDefaults('services', obj);
  return obj as unknown as Service;
}

describe('the kubernetes service', () => {
  it('is a selector-less ClusterIP service on 443 targeting the apiserver port', () => {
    const svc = desiredService('127.10.0.1', a);
    expect(svc.metadata).toMatchObject({
      name: 'kubernetes',
      namespace: 'default',
      labels: { component: 'apiserver', provider: 'kubernetes' },
    });
    expect(svc.spec).toEqual({
      type: 'ClusterIP',
      clusterIP: '127.10.0.1',
      clusterIPs: ['127.10.0.1'],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      sessionAffinity: 'None',
    });
    expect(desiredService('127.10.0.1', { ...a, portName: 'http' }).spec.ports![0]!.name).toBe('http');
  });

  it('needs no repair as stored, with an allocated node port or extra labels', () => {
    const svc = stored(desiredService('127.10.0.1', a));
    expect(serviceRepair(svc, a)).toBeUndefined();
    svc.spec.ports![0]!.nodePort = 30007;
    svc.metadata.labels!.extra = 'x';
    expect(serviceRepair(svc, a)).toBeUndefined();
  });

  it('repairs ports (keeping the node port), type, selector and labels', () => {
    const svc = stored(desiredService('127.10.0.1', a));
    svc.spec.ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443, nodePort: 30007 }];
    const moved = serviceRepair(svc, b)!;
    expect(moved.spec.ports).toEqual([
      { name: 'https', port: 443, protocol: 'TCP', targetPort: 7443, nodePort: 30007 },
    ]);
    expect(serviceRepair(stored(moved), b)).toBeUndefined();

    const edited = stored(desiredService('127.10.0.1', a));
    edited.spec.selector = { app: 'x' };
    edited.spec.type = 'NodePort';
    edited.spec.ports!.push({ name: 'extra', port: 80 });
    delete edited.metadata.labels!.provider;
    const fixed = serviceRepair(edited, a)!;
    expect(fixed.spec.selector).toBeUndefined();
    expect(fixed.spec.type).toBe('ClusterIP');
    expect(fixed.spec.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);
    expect(fixed.metadata.labels).toMatchObject({ provider: 'kubernetes' });
    expect(edited.spec.selector).toEqual({ app: 'x' }); // the input is not changed
  });
});

describe('the kubernetes endpoints', () => {
  it('group the apiservers by port, in an order every apiserver computes alike', () => {
    expect(desiredSubsets([b, c, a])).toEqual([
      {
        addresses: [{ ip: '10.0.0.9' }, { ip: '127.0.0.1' }],
        ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
      },
      { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 7443, protocol: 'TCP' }] },
    ]);
    expect(desiredSubsets([a, b, c])).toEqual(desiredSubsets([c, b, a]));
  });

  it('are repaired only when they differ', () => {
    const ep: Endpoints = desiredEndpoints([a]);
    expect(ep.metadata).toEqual({ name: 'kubernetes', namespace: 'default' });
    expect(endpointsRepair(ep, [a])).toBeUndefined();
    expect(endpointsRepair({ ...ep, subsets: [] }, [a])!.subsets).toEqual(desiredSubsets([a]));
    expect(endpointsRepair(ep, [a, b])!.subsets).toHaveLength(2);
  });
});
