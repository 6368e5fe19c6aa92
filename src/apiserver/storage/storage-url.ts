// Which store a `--storage` URL names:
//   embedded:///var/lib/kubelite   the embedded store in that directory (also `embedded://./data`)
//   /var/lib/kubelite, ./data      a bare path: the embedded store
//   etcd://h1:2379,h2:2379         etcd members; a path adds a key prefix: etcd://h:2379/tenant-a
//   memory://                      in-memory, lost on exit (tests only)
import { StorageError } from './types.js';

export type StorageLocation =
  | { readonly kind: 'embedded'; readonly dir: string }
  | { readonly kind: 'etcd'; readonly endpoints: string[]; readonly prefix: string }
  | { readonly kind: 'memory' };

export const supportedStorageUrls =
  'embedded:///path/to/dir (or a bare path), etcd://host:port[,host:port...][/key-prefix], memory:// (tests only)';

export function parseStorageUrl(url: string): StorageLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (url.trim() === '') throw invalid(url, 'it is empty');
    return { kind: 'embedded', dir: url };
  }
  const rest = url.slice(scheme.length + 1);
  if (scheme === 'memory') return { kind: 'memory' };
  if (scheme === 'embedded') {
    if (!rest.startsWith('//') || rest.length <= 2) throw invalid(url, 'it names no directory');
    return { kind: 'embedded', dir: decodeURIComponent(rest.slice(2)) };
  }
  if (scheme === 'etcd') {
    if (!rest.startsWith('//')) throw invalid(url, 'expected etcd://host:port');
    const authority = rest.slice(2);
    const slash = authority.indexOf('/');
    const hosts = slash < 0 ? authority : authority.slice(0, slash);
    const path = slash < 0 ? '' : authority.slice(slash).replace(/\/+$/, '');
    const endpoints = hosts.split(',').filter((h) => h !== '');
    if (endpoints.length === 0) throw invalid(url, 'it names no etcd endpoint');
    for (const e of endpoints) {
      if (!/^[^:/\s]+:\d{1,5}$/.test(e) && !/^\[[0-9a-f:]+\]:\d{1,5}$/i.test(e)) {
        throw invalid(url, `"${e}" is not host:port`);
      }
    }
    return { kind: 'etcd', endpoints, prefix: decodeURIComponent(path) };
  }
  throw invalid(url, `the scheme "${scheme}" is not supported`);
}

function invalid(url: string, why: string): StorageError {
  return new StorageError(
    'InvalidArgument',
    `invalid storage URL "${url}": ${why}; use ${supportedStorageUrls}`,
  );
}
