import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import {
  isJsonLike,
  isProtobuf,
  isYamlLike,
  mediaTypeOf,
  negotiateAccept,
  parseAccept,
} from './negotiate.js';

// Accept headers captured from the real kubectl 1.32 and @kubernetes/client-node 1.4.
const kubectlGet =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const kubectlDiscovery =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const kubectlTyped = 'application/vnd.kubernetes.protobuf,application/json';
const kubectlVersion = 'application/json, */*';

const none = new URLSearchParams();

describe('negotiateAccept', () => {
  it('recognises the Table request of kubectl get', () => {
    expect(negotiateAccept(kubectlGet, none)).toEqual({
      table: true,
      tableIncludeObject: 'Metadata',
      partialMetadata: false,
      aggregatedDiscovery: undefined,
      acceptable: true,
    });
  });

  it('honours includeObject on Table requests', () => {
    expect(negotiateAccept(kubectlGet, new URLSearchParams('includeObject=Object')).tableIncludeObject).toBe(
      'Object',
    );
    expect(negotiateAccept(kubectlGet, new URLSearchParams('includeObject=None')).tableIncludeObject).toBe(
      'None',
    );
    expect(negotiateAccept(kubectlGet, new URLSearchParams('includeObject=')).tableIncludeObject).toBe(
      'Metadata',
    );
    expect(() => negotiateAccept(kubectlGet, new URLSearchParams('includeObject=All'))).toThrow(ApiError);
    // ignored (not validated) when no Table is asked for
    expect(negotiateAccept('application/json', new URLSearchParams('includeObject=All')).table).toBe(false);
  });

  it('picks aggregated discovery v2 first, as kubectl 1.32 lists it', () => {
    const n = negotiateAccept(kubectlDiscovery, none);
    expect(n.aggregatedDiscovery).toBe('v2');
    expect(n.table).toBe(false);
    expect(negotiateAccept(kubectlDiscovery.split(',').slice(1).join(','), none).aggregatedDiscovery).toBe(
      'v2beta1',
    );
  });

  it('answers JSON to the protobuf-first Accept of typed clients', () => {
    expect(negotiateAccept(kubectlTyped, none)).toMatchObject({
      table: false,
      aggregatedDiscovery: undefined,
      acceptable: true,
    });
  });

  it('treats */*, a missing header and plain JSON as plain JSON', () => {
    for (const accept of [undefined, '', '*/*', 'application/json', kubectlVersion, 'application/*']) {
      expect(negotiateAccept(accept, none)).toMatchObject({
        table: false,
        partialMetadata: false,
        acceptable: true,
      });
    }
  });

  it('ignores representations listed after a plain JSON clause', () => {
    expect(
      negotiateAccept('application/json, application/json;as=Table;v=v1;g=meta.k8s.io', none).table,
    ).toBe(false);
  });

  it('orders by q before position', () => {
    const accept = 'application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io';
    expect(negotiateAccept(accept, none).table).toBe(true);
    expect(negotiateAccept('application/json;as=Table;v=v1;g=meta.k8s.io;q=0', none).acceptable).toBe(false);
  });

  it('recognises PartialObjectMetadata', () => {
    const n = negotiateAccept(
      'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json',
      none,
    );
    expect(n.partialMetadata).toBe(true);
  });

  it('skips representations it does not serve and reports when nothing is acceptable', () => {
    expect(
      negotiateAccept('application/json;as=Table;v=v2;g=meta.k8s.io,application/json', none),
    ).toMatchObject({
      table: false,
      acceptable: true,
    });
    expect(negotiateAccept('application/vnd.kubernetes.protobuf', none).acceptable).toBe(false);
    expect(negotiateAccept('text/html', none).acceptable).toBe(false);
    expect(negotiateAccept('application/json;as=Table;v=v1;g=meta.k8s.io', none)).toMatchObject({
      table: true,
      acceptable: true,
    });
  });
});

describe('parseAccept', () => {
  it('parses quoted parameters and lower-cases types and keys', () => {
    expect(parseAccept('Application/JSON; AS="Table" ;v=v1;g=meta.k8s.io, text/plain;q=0.1')).toEqual([
      { type: 'application/json', params: { as: 'Table', v: 'v1', g: 'meta.k8s.io' }, q: 1 },
      { type: 'text/plain', params: {}, q: 0.1 },
    ]);
    expect(parseAccept('a/b;x="1,2";q=0.2, c/d')).toEqual([
      { type: 'c/d', params: {}, q: 1 },
      { type: 'a/b', params: { x: '1,2' }, q: 0.2 },
    ]);
  });
});

describe('content type helpers', () => {
  it('classifies request bodies', () => {
    expect(mediaTypeOf('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(mediaTypeOf(undefined)).toBe('');
    for (const t of [
      'application/json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
      'application/json-patch+json',
    ]) {
      expect(isJsonLike(t)).toBe(true);
    }
    expect(isJsonLike('application/apply-patch+yaml')).toBe(false);
    expect(isYamlLike('application/apply-patch+yaml')).toBe(true);
    expect(isYamlLike('application/yaml')).toBe(true);
    expect(isProtobuf('application/vnd.kubernetes.protobuf')).toBe(true);
    expect(isProtobuf('application/json')).toBe(false);
    expect(isJsonLike(undefined)).toBe(false);
  });
});
