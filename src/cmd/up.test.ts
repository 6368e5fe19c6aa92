import { describe, expect, it } from 'vitest';
import { readUpFlags } from './up.js';

describe('kubelite up flags', () => {
  it('takes flags first, then KUBELITE_* variables, else leaves the library defaults', () => {
    const { options, printConfig, help } = readUpFlags(['--nodes', '3', '--kubelet-arg', 'max-pods=5'], {
      KUBELITE_NODES: '9',
      KUBELITE_RUNTIME: 'process',
      KUBELITE_PRINT_CONFIG: '1',
      KUBELITE_CONTROLLER_MANAGER_ARG: 'node-monitor-grace-period=5s  pod-eviction-timeout=10s',
      KUBELITE_STOP_TIMEOUT_SECONDS: '3',
    });
    expect(help).toBe(false);
    expect(printConfig).toBe(true);
    expect(options).toMatchObject({ nodes: 3, runtime: 'process', stopTimeoutMs: 3000, port: undefined });
    expect(options.componentArgs).toMatchObject({
      kubelet: ['max-pods=5'],
      'controller-manager': ['node-monitor-grace-period=5s', 'pod-eviction-timeout=10s'],
      apiserver: [],
    });
  });

  it('refuses malformed numbers and unknown flags', () => {
    expect(() => readUpFlags(['--nodes', 'two'], {})).toThrow(/--nodes must be a non-negative integer/);
    expect(() => readUpFlags(['--bogus'], {})).toThrow();
  });
});
