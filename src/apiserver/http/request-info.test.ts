import { describe, expect, it } from 'vitest';
import { type RequestInfo, resolveRequestInfo } from './request-info.js';

function info(method: string, url: string): RequestInfo {
  const u = new URL(url, 'http://x');
  return resolveRequestInfo(method, u.pathname, u.searchParams);
}

function short(i: RequestInfo) {
  if (i.kind === 'nonResource') return { path: i.path };
  return {
    verb: i.verb,
    resource: i.resource.name,
    namespace: i.namespace,
    name: i.name,
    subresource: i.subresource,
  };
}

describe('resolveRequestInfo', () => {
  it.each([
    [
      'GET',
      '/api/v1/namespaces/ns/pods',
      { verb: 'list', resource: 'pods', namespace: 'ns', name: '', subresource: '' },
    ],
    ['GET', '/api/v1/pods', { verb: 'list', resource: 'pods', namespace: '', name: '', subresource: '' }],
    [
      'GET',
      '/api/v1/pods?watch=true',
      { verb: 'watch', resource: 'pods', namespace: '', name: '', subresource: '' },
    ],
    [
      'GET',
      '/api/v1/watch/namespaces/ns/pods',
      { verb: 'watch', resource: 'pods', namespace: 'ns', name: '', subresource: '' },
    ],
    [
      'GET',
      '/api/v1/watch/namespaces/ns/pods/p',
      { verb: 'watch', resource: 'pods', namespace: 'ns', name: 'p', subresource: '' },
    ],
    [
      'POST',
      '/api/v1/namespaces/ns/pods',
      { verb: 'create', resource: 'pods', namespace: 'ns', name: '', subresource: '' },
    ],
    [
      'PUT',
      '/api/v1/namespaces/ns/pods/p/status',
      { verb: 'update', resource: 'pods', namespace: 'ns', name: 'p', subresource: 'status' },
    ],
    [
      'POST',
      '/api/v1/namespaces/ns/pods/p/binding',
      { verb: 'create', resource: 'pods', namespace: 'ns', name: 'p', subresource: 'binding' },
    ],
    [
      'PATCH',
      '/api/v1/namespaces/ns/replicationcontrollers/r/scale',
      { verb: 'patch', resource: 'replicationcontrollers', namespace: 'ns', name: 'r', subresource: 'scale' },
    ],
    [
      'DELETE',
      '/api/v1/namespaces/ns/pods',
      { verb: 'deletecollection', resource: 'pods', namespace: 'ns', name: '', subresource: '' },
    ],
    [
      'DELETE',
      '/api/v1/namespaces/ns/pods/p',
      { verb: 'delete', resource: 'pods', namespace: 'ns', name: 'p', subresource: '' },
    ],
    [
      'GET',
      '/api/v1/namespaces',
      { verb: 'list', resource: 'namespaces', namespace: '', name: '', subresource: '' },
    ],
    [
      'GET',
      '/api/v1/namespaces/ns',
      { verb: 'get', resource: 'namespaces', namespace: '', name: 'ns', subresource: '' },
    ],
    [
      'PUT',
      '/api/v1/namespaces/ns/status',
      { verb: 'update', resource: 'namespaces', namespace: '', name: 'ns', subresource: 'status' },
    ],
    [
      'PUT',
      '/api/v1/namespaces/ns/finalize',
      { verb: 'update', resource: 'namespaces', namespace: '', name: 'ns', subresource: 'finalize' },
    ],
    [
      'GET',
      '/api/v1/nodes/n1',
      { verb: 'get', resource: 'nodes', namespace: '', name: 'n1', subresource: '' },
    ],
  ])('%s %s', (method, url, expected) => {
    expect(short(info(method, url))).toEqual(expected);
  });

  it('leaves unknown and non-resource paths to the non-resource routes', () => {
    expect(short(info('GET', '/api/v1/foos'))).toEqual({ path: '/api/v1/foos' });
    expect(short(info('GET', '/version'))).toEqual({ path: '/version' });
    expect(short(info('GET', '/api/v1'))).toEqual({ path: '/api/v1' });
    expect(short(info('GET', '/apis/apps/v1/deployments'))).toEqual({ path: '/apis/apps/v1/deployments' });
    expect(short(info('GET', '/api/v1/namespaces/ns/pods/p/log/extra'))).toEqual({
      path: '/api/v1/namespaces/ns/pods/p/log/extra',
    });
  });

  it('rejects undecodable path segments', () => {
    expect(() => info('GET', '/api/v1/namespaces/%zz/pods')).toThrow(/malformed/);
  });
});
