import { describe, expect, it } from 'vitest';
import {
  checkFieldSelector,
  escapeFieldValue,
  fieldSelectorFromSet,
  objectFields,
  parseFieldSelector,
} from './fields.js';
import type { KubeObject } from './types.js';
import { errorOf } from './validation/testing.js';

describe('parseFieldSelector', () => {
  it.each([
    ['', ''],
    ['metadata.name=web', 'metadata.name=web'],
    ['metadata.name==web', 'metadata.name=web'],
    ['status.phase!=Running', 'status.phase!=Running'],
    ['spec.nodeName=', 'spec.nodeName='],
    ['spec.nodeName=n1,metadata.name=p', 'metadata.name=p,spec.nodeName=n1'],
    ['a=b,,c=d', 'a=b,c=d'],
    ['x=a\\,b', 'x=a\\,b'],
    ['x=a\\=b', 'x=a\\=b'],
    ['x=a\\\\b', 'x=a\\\\b'],
    ['x!=', 'x!='],
  ])('%j → %j', (text, canonical) => {
    expect(parseFieldSelector(text).toString()).toBe(canonical);
  });

  it('unescapes values and keeps typed requirements', () => {
    expect(parseFieldSelector('x=a\\,b\\=c\\\\d,y!=').requirements).toEqual([
      { field: 'x', operator: 'Equals', value: 'a,b=c\\d' },
      { field: 'y', operator: 'NotEquals', value: '' },
    ]);
  });

  it.each([
    ['foo', "invalid selector: 'foo'; can't understand 'foo'"],
    ['a=b,foo', "invalid selector: 'a=b,foo'; can't understand 'foo'"],
    ['x=a=b', 'invalid field selector: unescaped character in value: ='],
    ['x=a\\b', 'invalid field selector: invalid escape sequence: \\b'],
    ['x=a\\', 'invalid field selector: invalid escape sequence: \\'],
  ])('rejects %j', (text, message) => {
    const e = errorOf(() => parseFieldSelector(text));
    expect(e.reason).toBe('BadRequest');
    expect(e.message).toBe(message);
  });

  it('matches with Kubernetes semantics (a missing field is the empty string)', () => {
    const fields = { 'metadata.name': 'web', 'spec.nodeName': '' };
    expect(parseFieldSelector('').matches(fields)).toBe(true);
    expect(parseFieldSelector('metadata.name=web').matches(fields)).toBe(true);
    expect(parseFieldSelector('metadata.name!=web').matches(fields)).toBe(false);
    expect(parseFieldSelector('spec.nodeName=').matches(fields)).toBe(true);
    expect(parseFieldSelector('spec.nodeName!=').matches(fields)).toBe(false);
    expect(parseFieldSelector('status.phase=').matches(fields)).toBe(true);
    expect(parseFieldSelector('status.phase!=Running').matches(fields)).toBe(true);
    expect(parseFieldSelector('metadata.name=web,spec.nodeName=n1').matches(fields)).toBe(false);
  });

  it('reports the value an = requirement fixes, for indexes', () => {
    const s = parseFieldSelector('spec.nodeName=node-1,status.phase!=Failed');
    expect(s.requiredValue('spec.nodeName')).toBe('node-1');
    expect(s.requiredValue('status.phase')).toBeUndefined();
    expect(s.requiredValue('metadata.name')).toBeUndefined();
    expect(parseFieldSelector('spec.nodeName=').requiredValue('spec.nodeName')).toBe('');
  });

  it('builds selectors from sets and escapes values', () => {
    const s = fieldSelectorFromSet({ 'spec.nodeName': 'n,1', 'metadata.name': 'p' });
    expect(s.toString()).toBe('metadata.name=p,spec.nodeName=n\\,1');
    expect(parseFieldSelector(s.toString()).matches({ 'metadata.name': 'p', 'spec.nodeName': 'n,1' })).toBe(
      true,
    );
    expect(escapeFieldValue('a\\b,c=d')).toBe('a\\\\b\\,c\\=d');
  });
});

describe('objectFields', () => {
  it('gives pods their selectable fields', () => {
    const pod: KubeObject = {
      metadata: { name: 'p', namespace: 'ns' },
      spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler' },
      status: { phase: 'Running', podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.1' }] },
    };
    expect(objectFields('pods', pod)).toMatchObject({
      'metadata.name': 'p',
      'metadata.namespace': 'ns',
      'spec.nodeName': 'n1',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.hostNetwork': 'false',
      'status.phase': 'Running',
      'status.podIP': '10.0.0.1',
    });
    expect(objectFields('pods', { metadata: { name: 'q' } })['spec.nodeName']).toBe('');
    expect(objectFields('pods', { metadata: {}, status: { podIP: '127.0.1.5' } })['status.podIP']).toBe(
      '127.0.1.5',
    );
  });

  it('gives events their involvedObject fields, source falling back to reportingComponent', () => {
    const ev: KubeObject = {
      metadata: { name: 'e', namespace: 'ns' },
      involvedObject: {
        kind: 'Pod',
        name: 'p',
        namespace: 'ns',
        uid: 'u1',
        apiVersion: 'v1',
        fieldPath: 'spec',
      },
      reason: 'Scheduled',
      type: 'Normal',
      reportingComponent: 'default-scheduler',
    };
    expect(objectFields('events', ev)).toMatchObject({
      'involvedObject.kind': 'Pod',
      'involvedObject.name': 'p',
      'involvedObject.namespace': 'ns',
      'involvedObject.uid': 'u1',
      'involvedObject.apiVersion': 'v1',
      'involvedObject.fieldPath': 'spec',
      'involvedObject.resourceVersion': '',
      reason: 'Scheduled',
      type: 'Normal',
      source: 'default-scheduler',
    });
    expect(objectFields('events', { ...ev, source: { component: 'kubelet' } }).source).toBe('kubelet');
  });

  it('omits metadata.namespace for cluster-scoped resources', () => {
    const node = objectFields('nodes', { metadata: { name: 'n1' }, spec: { unschedulable: true } });
    expect(node).toEqual({ 'metadata.name': 'n1', 'spec.unschedulable': 'true' });
    expect(objectFields('namespaces', { metadata: { name: 'x' }, status: { phase: 'Active' } })).toEqual({
      'metadata.name': 'x',
      'status.phase': 'Active',
    });
  });

  it('covers services, replication controllers and endpoints', () => {
    expect(
      objectFields('services', { metadata: { name: 's' }, spec: { clusterIP: 'None', type: 'ClusterIP' } }),
    ).toEqual({
      'metadata.name': 's',
      'metadata.namespace': '',
      'spec.clusterIP': 'None',
      'spec.type': 'ClusterIP',
    });
    expect(
      objectFields('replicationcontrollers', { metadata: { name: 'r' }, status: { replicas: 3 } })[
        'status.replicas'
      ],
    ).toBe('3');
    expect(objectFields('replicationcontrollers', { metadata: { name: 'r' } })['status.replicas']).toBe('0');
    expect(Object.keys(objectFields('endpoints', { metadata: { name: 'e' } }))).toEqual([
      'metadata.name',
      'metadata.namespace',
    ]);
  });
});

describe('checkFieldSelector', () => {
  it('accepts the fields kubectl sends', () => {
    for (const [resource, text] of [
      ['pods', 'spec.nodeName=n1,status.phase!=Succeeded,metadata.name=p,metadata.namespace=ns'],
      [
        'events',
        'involvedObject.uid=u,involvedObject.name=p,involvedObject.namespace=ns,involvedObject.kind=Pod',
      ],
      ['nodes', 'spec.unschedulable=false,metadata.name=n'],
      ['namespaces', 'status.phase=Active'],
      ['services', 'spec.clusterIP=None'],
      ['replicationcontrollers', 'status.replicas=0'],
      ['endpoints', 'metadata.name=e'],
    ] as const) {
      expect(() => checkFieldSelector(resource, parseFieldSelector(text))).not.toThrow();
    }
  });

  it('rejects unsupported fields with BadRequest "field label not supported"', () => {
    const e = errorOf(() => checkFieldSelector('pods', parseFieldSelector('spec.foo=1')));
    expect(e.reason).toBe('BadRequest');
    expect(e.httpCode).toBe(400);
    expect(e.message).toBe('field label not supported: spec.foo');
    expect(
      errorOf(() => checkFieldSelector('nodes', parseFieldSelector('metadata.namespace=x'))).message,
    ).toBe('field label not supported: metadata.namespace');
    expect(errorOf(() => checkFieldSelector('endpoints', parseFieldSelector('subsets=x'))).message).toBe(
      '"subsets" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });
});
