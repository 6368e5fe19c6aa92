import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import {
  decodeProtobuf,
  decodeProtobufDeleteOptions,
  decodeProtobufObject,
  protobufContentType,
  readEnvelope,
} from './protobuf.js';

// Request bodies captured from the real kubectl 1.32 against a logging server.
const fixtures = {
  // kubectl create namespace capns
  namespace:
    '6b3873000a0f0a02763112094e616d657370616365121d0a150a056361706e7312001a0022002a0032003800420012001a020a001a002200',
  // kubectl create service clusterip capsvc --tcp=80:8080
  serviceClusterIP:
    '6b3873000a0d0a02763112075365727669636512720a250a0663617073766312001a0022002a003200380042005a0d0a03617070120663617073766312450a1b0a0738302d38303830120354435018502207080010903f1a002800120d0a0361707012066361707376631a002209436c757374657249503a00420052005a00600068001a020a001a002200',
  // kubectl create service nodeport np1 --tcp=443:8443 --node-port=30443
  serviceNodePort:
    '6b3873000a0d0a027631120753657276696365126c0a1f0a036e703112001a0022002a003200380042005a0a0a0361707012036e703112450a1f0a083434332d38343433120354435018bb032207080010fb411a0028ebed01120a0a0361707012036e70311a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200',
  // kubectl create service clusterip headless --clusterip=None
  serviceHeadless:
    '6b3873000a0d0a027631120753657276696365125f0a290a08686561646c65737312001a0022002a003200380042005a0f0a036170701208686561646c657373122e120f0a036170701208686561646c6573731a044e6f6e652209436c757374657249503a00420052005a00600068001a020a001a002200',
  // kubectl create service externalname ext1 --external-name=example.com
  serviceExternalName:
    '6b3873000a0d0a027631120753657276696365125d0a210a046578743112001a0022002a003200380042005a0b0a036170701204657874311234120b0a036170701204657874311a00220c45787465726e616c4e616d653a004200520b6578616d706c652e636f6d5a00600068001a020a001a002200',
  // kubectl drain n1 --force --disable-eviction --grace-period=30
  deleteGrace30: '6b3873000a130a027631120d44656c6574654f7074696f6e731202081e1a002200',
  // kubectl drain n1 --force --disable-eviction (default grace period)
  deleteDefault: '6b3873000a130a027631120d44656c6574654f7074696f6e7312001a002200',
  // kubectl drain n1 --force --disable-eviction --dry-run=server --grace-period=0
  deleteDryRun: '6b3873000a130a027631120d44656c6574654f7074696f6e73120708002a03416c6c1a002200',
};

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

// A minimal encoder for hand-built cases the captures do not cover.
const varint = (n: bigint | number): number[] => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
  return out;
};
const lenField = (field: number, bytes: number[] | string): number[] => {
  const data = typeof bytes === 'string' ? [...Buffer.from(bytes)] : bytes;
  return [...varint((field << 3) | 2), ...varint(data.length), ...data];
};
const intField = (field: number, n: bigint | number): number[] => [...varint(field << 3), ...varint(n)];
const envelope = (apiVersion: string, kind: string, raw: number[]): Uint8Array =>
  Uint8Array.from([
    0x6b,
    0x38,
    0x73,
    0x00,
    ...lenField(1, [...lenField(1, apiVersion), ...lenField(2, kind)]),
    ...lenField(2, raw),
  ]);

const expectApiError = (fn: () => unknown, reason: string) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).reason).toBe(reason);
    return;
  }
  throw new Error('expected an ApiError');
};

describe('decodeProtobufObject with captured kubectl bodies', () => {
  it('exports the content type', () => {
    expect(protobufContentType).toBe('application/vnd.kubernetes.protobuf');
  });

  it('decodes kubectl create namespace', () => {
    expect(decodeProtobufObject(hex(fixtures.namespace))).toEqual({
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'capns' },
      spec: {},
      status: {},
    });
  });

  it('decodes a ClusterIP service with a numeric targetPort', () => {
    expect(decodeProtobufObject(hex(fixtures.serviceClusterIP))).toEqual({
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'capsvc', labels: { app: 'capsvc' } },
      spec: {
        ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
        selector: { app: 'capsvc' },
        type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    });
  });

  it('decodes a NodePort service with its requested node port', () => {
    const svc = decodeProtobufObject(hex(fixtures.serviceNodePort)) as any;
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.ports).toEqual([
      { name: '443-8443', protocol: 'TCP', port: 443, targetPort: 8443, nodePort: 30443 },
    ]);
  });

  it('decodes a headless service (clusterIP None, no ports)', () => {
    const svc = decodeProtobufObject(hex(fixtures.serviceHeadless)) as any;
    expect(svc.metadata).toEqual({ name: 'headless', labels: { app: 'headless' } });
    expect(svc.spec).toEqual({ selector: { app: 'headless' }, clusterIP: 'None', type: 'ClusterIP' });
  });

  it('decodes an ExternalName service', () => {
    const svc = decodeProtobufObject(hex(fixtures.serviceExternalName)) as any;
    expect(svc.spec).toEqual({
      selector: { app: 'ext1' },
      type: 'ExternalName',
      externalName: 'example.com',
    });
  });
});

describe('decodeProtobufDeleteOptions with captured kubectl drain bodies', () => {
  it('keeps an explicit grace period', () => {
    expect(decodeProtobufDeleteOptions(hex(fixtures.deleteGrace30))).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 30,
    });
  });

  it('decodes empty options', () => {
    expect(decodeProtobufDeleteOptions(hex(fixtures.deleteDefault))).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
    });
  });

  it('keeps a zero grace period (a pointer field) and dryRun', () => {
    expect(decodeProtobufDeleteOptions(hex(fixtures.deleteDryRun))).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 0,
      dryRun: ['All'],
    });
  });

  it('decodes preconditions, orphanDependents and propagationPolicy', () => {
    const raw = [
      ...lenField(2, [...lenField(1, 'uid-1'), ...lenField(2, '42')]),
      ...intField(3, 0),
      ...lenField(4, 'Foreground'),
    ];
    expect(decodeProtobuf(envelope('meta.k8s.io/v1', 'DeleteOptions', raw))).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'meta.k8s.io/v1',
      preconditions: { uid: 'uid-1', resourceVersion: '42' },
      orphanDependents: false,
      propagationPolicy: 'Foreground',
    });
  });

  it('refuses an object where DeleteOptions are expected, and options where an object is', () => {
    expectApiError(() => decodeProtobufDeleteOptions(hex(fixtures.namespace)), 'BadRequest');
    expectApiError(() => decodeProtobufObject(hex(fixtures.deleteGrace30)), 'UnsupportedMediaType');
  });
});

describe('hand-built messages', () => {
  it('decodes ObjectMeta maps, owner references, finalizers, timestamps and a named targetPort', () => {
    const owner = [
      ...lenField(1, 'ReplicationController'),
      ...lenField(3, 'web'),
      ...lenField(4, 'uid-rc'),
      ...lenField(5, 'v1'),
      ...intField(6, 1),
    ];
    const meta = [
      ...lenField(1, 'svc'),
      ...lenField(3, 'prod'),
      ...intField(7, 3),
      ...lenField(8, [...intField(1, 1_700_000_000)]),
      ...lenField(11, [...lenField(1, 'tier'), ...lenField(2, 'front')]),
      ...lenField(11, [...lenField(1, 'empty')]),
      ...lenField(12, [...lenField(1, 'note'), ...lenField(2, 'ünïcode')]),
      ...lenField(13, owner),
      ...lenField(14, 'kubernetes.io/x'),
      ...lenField(99, 'unknown field is skipped'),
    ];
    const port = [
      ...lenField(1, 'http'),
      ...intField(3, 80),
      ...lenField(4, [...intField(1, 1), ...lenField(3, 'web')]),
    ];
    const spec = [
      ...lenField(1, port),
      ...lenField(5, '10.0.0.9'),
      ...lenField(14, [...lenField(1, [...intField(1, 600)])]),
      ...lenField(7, 'ClientIP'),
    ];
    const svc = decodeProtobufObject(
      envelope('v1', 'Service', [...lenField(1, meta), ...lenField(2, spec)]),
    ) as any;
    expect(svc.metadata).toEqual({
      name: 'svc',
      namespace: 'prod',
      generation: 3,
      creationTimestamp: '2023-11-14T22:13:20Z',
      labels: { tier: 'front', empty: '' },
      annotations: { note: 'ünïcode' },
      ownerReferences: [
        { kind: 'ReplicationController', name: 'web', uid: 'uid-rc', apiVersion: 'v1', controller: true },
      ],
      finalizers: ['kubernetes.io/x'],
    });
    expect(svc.spec).toEqual({
      ports: [{ name: 'http', port: 80, targetPort: 'web' }],
      externalIPs: ['10.0.0.9'],
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
      sessionAffinity: 'ClientIP',
    });
  });

  it('decodes negative int32 values sign-extended to ten bytes', () => {
    const port = [...intField(3, -1)];
    const svc = decodeProtobufObject(
      envelope('v1', 'Service', [...lenField(2, [...lenField(1, port)])]),
    ) as any;
    expect(svc.spec.ports[0].port).toBe(-1);
    expect(svc.metadata).toEqual({});
  });

  it('reads the envelope', () => {
    const env = readEnvelope(hex(fixtures.namespace));
    expect(env.apiVersion).toBe('v1');
    expect(env.kind).toBe('Namespace');
    expect(env.raw.length).toBe(29);
  });
});

describe('bad and hostile bytes', () => {
  it('answers UnsupportedMediaType for kinds it does not decode', () => {
    expectApiError(() => decodeProtobuf(envelope('v1', 'Pod', [])), 'UnsupportedMediaType');
    expectApiError(() => decodeProtobuf(envelope('apps/v1', 'Service', [])), 'UnsupportedMediaType');
    expectApiError(() => decodeProtobuf(envelope('v1', 'toString', [])), 'UnsupportedMediaType');
    expectApiError(() => decodeProtobuf(envelope('v1', '__proto__', [])), 'UnsupportedMediaType');
  });

  it('answers BadRequest for a missing magic, a missing kind, encodings and wrong wire types', () => {
    expectApiError(() => decodeProtobuf(Uint8Array.from([1, 2, 3])), 'BadRequest');
    expectApiError(() => decodeProtobuf(Buffer.from('{"kind":"Namespace"}')), 'BadRequest');
    expectApiError(() => decodeProtobuf(Uint8Array.from([0x6b, 0x38, 0x73, 0x00])), 'BadRequest');
    const gzip = Uint8Array.from([...envelope('v1', 'Namespace', []), ...lenField(3, 'gzip')]);
    expectApiError(() => decodeProtobuf(gzip), 'BadRequest');
    // metadata (field 1) sent as a varint
    expectApiError(() => decodeProtobuf(envelope('v1', 'Namespace', intField(1, 5))), 'BadRequest');
    // a length running past the end, a group wire type, an overlong varint, invalid UTF-8
    expectApiError(() => decodeProtobuf(envelope('v1', 'Namespace', [0x0a, 0x7f, 0x00])), 'BadRequest');
    expectApiError(() => decodeProtobuf(envelope('v1', 'Namespace', [0x0b])), 'BadRequest');
    expectApiError(
      () => decodeProtobuf(envelope('v1', 'Namespace', [0x08, ...Array(11).fill(0xff)])),
      'BadRequest',
    );
    expectApiError(
      () => decodeProtobuf(envelope('v1', 'Namespace', lenField(1, lenField(1, [0xc3, 0x28])))),
      'BadRequest',
    );
    // a field number of 0 and a timestamp beyond what a Date can hold
    expectApiError(() => decodeProtobuf(envelope('v1', 'Namespace', [0x00, 0x00])), 'BadRequest');
    const farTime = lenField(1, lenField(8, intField(1, 2n ** 50n)));
    expectApiError(() => decodeProtobuf(envelope('v1', 'Namespace', farTime)), 'BadRequest');
  });

  it('never throws anything but an ApiError on truncated or mutated captures', () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    let decoded = 0;
    for (const fixture of Object.values(fixtures)) {
      const bytes = hex(fixture);
      for (let cut = 0; cut < bytes.length; cut++) {
        try {
          decodeProtobuf(bytes.subarray(0, cut));
          decoded++;
        } catch (e) {
          expect(e).toBeInstanceOf(ApiError);
        }
      }
      for (let round = 0; round < 300; round++) {
        const mutated = Uint8Array.from(bytes);
        for (let k = 0; k < 1 + (rand() % 4); k++)
          mutated[4 + (rand() % (mutated.length - 4))] = rand() & 0xff;
        try {
          decodeProtobuf(mutated);
          decoded++;
        } catch (e) {
          expect(e).toBeInstanceOf(ApiError);
        }
      }
    }
    expect(decoded).toBeGreaterThan(0); // some mutations still decode: the loop exercised both paths
  });
});
