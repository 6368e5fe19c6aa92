// The few k8s.io/api messages kubectl sends as protobuf (generated.proto field numbers), described as
// data, and one generic decoder that turns their bytes into the JSON shapes of src/api/types.ts.
// JSON follows Go's encoding of the decoded struct: zero scalars are dropped (`omitempty`), except
// fields Kubernetes declares as pointers (`presence`) or without omitempty, where "set to zero" matters.
import { decodeUtf8, readFields, toInt32, toInt64, WireError, type WireValue } from './wire.js';

type ScalarType = 'string' | 'int32' | 'int64' | 'bool';
type CompositeType = 'time' | 'intOrString' | 'stringMap';

export interface FieldSpec {
  readonly name: string;
  readonly type: ScalarType | CompositeType | MessageSpec;
  readonly repeated?: boolean;
  /** Keep a zero value that was on the wire (Go pointer fields and fields without omitempty). */
  readonly presence?: boolean;
}

export type MessageSpec = { readonly [fieldNumber: number]: FieldSpec };

export const str = (name: string, presence = false): FieldSpec => ({ name, type: 'string', presence });
export const strs = (name: string): FieldSpec => ({ name, type: 'string', repeated: true });
const int32 = (name: string, presence = false): FieldSpec => ({ name, type: 'int32', presence });
const int64 = (name: string, presence = false): FieldSpec => ({ name, type: 'int64', presence });
const bool = (name: string, presence = false): FieldSpec => ({ name, type: 'bool', presence });
export const msg = (name: string, type: MessageSpec, repeated = false): FieldSpec => ({
  name,
  type,
  repeated,
});

// ------------------------------------------------------------ k8s.io/apimachinery meta/v1

const ownerReference: MessageSpec = {
  1: str('kind'),
  3: str('name'),
  4: str('uid'),
  5: str('apiVersion'),
  6: bool('controller', true),
  7: bool('blockOwnerDeletion', true),
};

export const objectMeta: MessageSpec = {
  1: str('name'),
  2: str('generateName'),
  3: str('namespace'),
  5: str('uid'),
  6: str('resourceVersion'),
  7: int64('generation'),
  8: { name: 'creationTimestamp', type: 'time' },
  9: { name: 'deletionTimestamp', type: 'time' },
  10: int64('deletionGracePeriodSeconds', true),
  11: { name: 'labels', type: 'stringMap' },
  12: { name: 'annotations', type: 'stringMap' },
  13: msg('ownerReferences', ownerReference, true),
  14: strs('finalizers'),
};

const metaCondition: MessageSpec = {
  1: str('type'),
  2: str('status'),
  3: int64('observedGeneration'),
  4: { name: 'lastTransitionTime', type: 'time' },
  5: str('reason'),
  6: str('message'),
};

export const deleteOptions: MessageSpec = {
  1: int64('gracePeriodSeconds', true),
  2: msg('preconditions', { 1: str('uid', true), 2: str('resourceVersion', true) }),
  3: bool('orphanDependents', true),
  4: str('propagationPolicy', true),
  5: strs('dryRun'),
  6: bool('ignoreStoreReadErrorWithClusterBreakingPotential', true),
};

// ------------------------------------------------------------ k8s.io/api core/v1

export const namespace: MessageSpec = {
  1: msg('metadata', objectMeta),
  2: msg('spec', { 1: strs('finalizers') }),
  3: msg('status', {
    1: str('phase'),
    2: msg(
      'conditions',
      {
        1: str('type'),
        2: str('status'),
        4: { name: 'lastTransitionTime', type: 'time' },
        5: str('reason'),
        6: str('message'),
      },
      true,
    ),
  }),
};

const servicePort: MessageSpec = {
  1: str('name'),
  2: str('protocol'),
  3: int32('port', true),
  4: { name: 'targetPort', type: 'intOrString' },
  5: int32('nodePort'),
  6: str('appProtocol', true),
};

const serviceSpec: MessageSpec = {
  1: msg('ports', servicePort, true),
  2: { name: 'selector', type: 'stringMap' },
  3: str('clusterIP'),
  4: str('type'),
  5: strs('externalIPs'),
  7: str('sessionAffinity'),
  8: str('loadBalancerIP'),
  9: strs('loadBalancerSourceRanges'),
  10: str('externalName'),
  11: str('externalTrafficPolicy'),
  12: int32('healthCheckNodePort'),
  13: bool('publishNotReadyAddresses'),
  14: msg('sessionAffinityConfig', { 1: msg('clientIP', { 1: int32('timeoutSeconds', true) }) }),
  17: str('ipFamilyPolicy', true),
  18: strs('clusterIPs'),
  19: strs('ipFamilies'),
  20: bool('allocateLoadBalancerNodePorts', true),
  21: str('loadBalancerClass', true),
  22: str('internalTrafficPolicy', true),
  23: str('trafficDistribution', true),
};

export const service: MessageSpec = {
  1: msg('metadata', objectMeta),
  2: msg('spec', serviceSpec),
  3: msg('status', {
    1: msg('loadBalancer', { 1: msg('ingress', { 1: str('ip'), 2: str('hostname') }, true) }),
    2: msg('conditions', metaCondition, true),
  }),
};

// ------------------------------------------------------------ decoder

/** Decodes one message by its spec. Unknown fields are skipped; a known field with the wrong wire type is an error. */
export function decodeMessage(spec: MessageSpec, bytes: Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const wire of readFields(bytes)) {
    const field = spec[wire.field];
    if (!field) continue;
    const value = decodeValue(field, wire);
    if (field.type === 'stringMap') {
      const [key, entryValue] = value as [string, string];
      const map = (out[field.name] ??= {}) as Record<string, string>;
      map[key] = entryValue;
    } else if (field.repeated) {
      ((out[field.name] ??= []) as unknown[]).push(value);
    } else if (value === undefined || (!field.presence && isZero(value))) {
      delete out[field.name]; // last one wins, and a zero scalar is what omitempty leaves out
    } else {
      out[field.name] = value;
    }
  }
  return out;
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false;
}

function decodeValue(field: FieldSpec, wire: WireValue): unknown {
  const { type } = field;
  if (type === 'int32' || type === 'int64' || type === 'bool') {
    if (wire.wireType !== 0) throw new WireError(`${field.name}: expected a varint`);
    if (type === 'bool') return wire.varint !== 0n;
    return type === 'int32' ? toInt32(wire.varint) : toInt64(wire.varint);
  }
  if (wire.wireType !== 2) throw new WireError(`${field.name}: expected length-delimited bytes`);
  const bytes = wire.bytes;
  switch (type) {
    case 'string':
      return decodeUtf8(bytes);
    case 'time':
      return decodeTime(bytes);
    case 'intOrString':
      return decodeIntOrString(bytes);
    case 'stringMap': {
      const entry = decodeMessage({ 1: str('key'), 2: str('value', true) }, bytes);
      return [String(entry.key ?? ''), String(entry.value ?? '')];
    }
    default:
      return decodeMessage(type, bytes);
  }
}

/** meta/v1 Time {seconds, nanos} → RFC 3339 with second precision, as metav1.Time marshals; zero → absent. */
function decodeTime(bytes: Uint8Array): string | undefined {
  const t = decodeMessage({ 1: int64('seconds'), 2: int32('nanos') }, bytes);
  const seconds = (t.seconds as number | undefined) ?? 0;
  if (seconds === 0 && !t.nanos) return undefined;
  if (Math.abs(seconds) > 8_640_000_000_000) throw new WireError(`time ${seconds}s out of range`);
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** util/intstr IntOrString {type (0 int, 1 string), intVal, strVal}. */
function decodeIntOrString(bytes: Uint8Array): number | string {
  const v = decodeMessage({ 1: int64('type'), 2: int32('intVal'), 3: str('strVal') }, bytes);
  return v.type === 1 ? ((v.strVal as string | undefined) ?? '') : ((v.intVal as number | undefined) ?? 0);
}
