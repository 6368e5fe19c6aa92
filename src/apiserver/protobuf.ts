// Protobuf request bodies. kubectl sends a few writes in Kubernetes' protobuf encoding and does not
// retry with JSON on 415: `create namespace`, `create service …`, and the DeleteOptions of `drain`.
// A body is the magic `k8s\0` followed by a runtime.Unknown envelope {1 TypeMeta {1 apiVersion, 2 kind},
// 2 raw object bytes, 3 contentEncoding, 4 contentType}; the raw bytes are the k8s.io/api message.
import { ApiError, badRequest } from '../api/errors.js';
import type { DeleteOptions, KubeObject } from '../api/types.js';
import {
  clusterRole,
  role,
  roleBinding,
  selfSubjectAccessReview,
  selfSubjectRulesReview,
  subjectAccessReview,
} from './auth/protobuf-schema.js';
import { decodeMessage, deleteOptions, type MessageSpec, namespace, service } from './protobuf/schema.js';
import { decodeUtf8, readFields, WireError } from './protobuf/wire.js';

export const protobufContentType = 'application/vnd.kubernetes.protobuf';

const magic = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"

interface Decodable {
  readonly spec: MessageSpec;
  /** apiVersions accepted in the envelope; DeleteOptions travels as v1 or meta.k8s.io/v1. */
  readonly apiVersions: readonly string[];
  readonly hasMetadata: boolean;
}

// A Map, not an object literal: a kind such as "__proto__" or "toString" must not find anything.
const decodable = new Map<string, Decodable>([
  ['Namespace', { spec: namespace, apiVersions: ['v1'], hasMetadata: true }],
  ['Service', { spec: service, apiVersions: ['v1'], hasMetadata: true }],
  ['DeleteOptions', { spec: deleteOptions, apiVersions: ['v1', 'meta.k8s.io/v1'], hasMetadata: false }],
  // RBAC and access reviews (`kubectl create role|rolebinding|…`, `kubectl auth can-i`).
  ...(
    [
      ['Role', role],
      ['ClusterRole', clusterRole],
      ['RoleBinding', roleBinding],
      ['ClusterRoleBinding', roleBinding],
    ] as const
  ).map(([kind, spec]): [string, Decodable] => [
    kind,
    { spec, apiVersions: ['rbac.authorization.k8s.io/v1'], hasMetadata: true },
  ]),
  [
    'SelfSubjectAccessReview',
    { spec: selfSubjectAccessReview, apiVersions: ['authorization.k8s.io/v1'], hasMetadata: true },
  ],
  [
    'SelfSubjectRulesReview',
    { spec: selfSubjectRulesReview, apiVersions: ['authorization.k8s.io/v1'], hasMetadata: true },
  ],
  [
    'SubjectAccessReview',
    { spec: subjectAccessReview, apiVersions: ['authorization.k8s.io/v1'], hasMetadata: true },
  ],
]);

export interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
}

/** Checks the magic and unwraps runtime.Unknown. Malformed bytes → BadRequest. */
export function readEnvelope(body: Uint8Array): ProtobufEnvelope {
  if (body.length < magic.length || magic.some((b, i) => body[i] !== b)) {
    throw badRequest('protobuf body does not start with the Kubernetes magic "k8s\\x00"');
  }
  return guard(() => {
    let apiVersion = '';
    let kind = '';
    let raw: Uint8Array = new Uint8Array(0);
    let contentEncoding = '';
    let contentType = '';
    for (const f of readFields(body.subarray(magic.length))) {
      if (f.wireType !== 2) continue;
      if (f.field === 1) {
        for (const t of readFields(f.bytes)) {
          if (t.wireType !== 2) continue;
          if (t.field === 1) apiVersion = decodeUtf8(t.bytes);
          else if (t.field === 2) kind = decodeUtf8(t.bytes);
        }
      } else if (f.field === 2) raw = f.bytes;
      else if (f.field === 3) contentEncoding = decodeUtf8(f.bytes);
      else if (f.field === 4) contentType = decodeUtf8(f.bytes);
    }
    if (contentEncoding !== '')
      throw badRequest(`unsupported protobuf content encoding "${contentEncoding}"`);
    if (contentType !== '' && contentType !== protobufContentType) {
      throw badRequest(`unsupported protobuf envelope content type "${contentType}"`);
    }
    if (kind === '') throw badRequest('protobuf body has no kind');
    return { apiVersion, kind, raw };
  });
}

/** Any kind we decode: Namespace and Service as objects, DeleteOptions as options. */
export function decodeProtobuf(body: Uint8Array): KubeObject | DeleteOptions {
  const { apiVersion, kind, raw } = readEnvelope(body);
  const target = decodable.get(kind);
  if (!target?.apiVersions.includes(apiVersion)) {
    throw new ApiError(
      'UnsupportedMediaType',
      `the protobuf encoding of ${apiVersion}/${kind} is not supported; send application/json`,
    );
  }
  const fields = guard(() => decodeMessage(target.spec, raw));
  if (target.hasMetadata) fields.metadata ??= {};
  return { kind, apiVersion, ...fields } as KubeObject | DeleteOptions;
}

/** A Namespace or Service body; DeleteOptions or unknown kinds → UnsupportedMediaType. */
export function decodeProtobufObject(body: Uint8Array): KubeObject {
  const decoded = decodeProtobuf(body);
  if (!('metadata' in decoded)) {
    throw new ApiError('UnsupportedMediaType', `a ${decoded.kind} body is not an object`);
  }
  return decoded;
}

/** The DeleteOptions body of a DELETE (kubectl drain sends it as protobuf). */
export function decodeProtobufDeleteOptions(body: Uint8Array): DeleteOptions {
  const decoded = decodeProtobuf(body);
  if (decoded.kind !== 'DeleteOptions') {
    throw badRequest(`expected DeleteOptions in the request body, got ${decoded.kind}`);
  }
  return decoded as DeleteOptions;
}

function guard<T>(decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (e instanceof WireError) throw badRequest(`malformed protobuf body: ${e.message}`);
    throw e;
  }
}
