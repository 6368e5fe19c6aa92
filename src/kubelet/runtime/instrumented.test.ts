import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../metrics/registry.js';
import { RuntimeError } from './errors.js';
import { createFakeRuntime } from './fake/index.js';
import { instrumentRuntime } from './instrumented.js';

describe('instrumentRuntime', () => {
  it('counts, times and counts errors of runtime calls by operation type, and passes results through', async () => {
    const registry = createRegistry({ component: 'kubelet' });
    const fake = createFakeRuntime({ nodeName: 'n1' });
    const rt = instrumentRuntime(fake, registry);
    expect(rt.kind).toBe('fake');
    expect(rt.nodeName).toBe('n1');
    const { sandboxId } = await rt.runPodSandbox({ uid: 'u', namespace: 'd', name: 'p' });
    fake.fail('createContainer', new RuntimeError('ImageNotPresent', 'no image'), 1);
    await expect(rt.createContainer(sandboxId, { name: 'c', image: 'i', attempt: 0 })).rejects.toThrow(
      'no image',
    );
    expect(await rt.createContainer(sandboxId, { name: 'c', image: 'i', attempt: 0 })).toBe('n1-c2');
    const text = await registry.metrics();
    const value = (name: string, type: string) =>
      text
        .split('\n')
        .find((l) => l.startsWith(`${name}{`) && l.includes(`operation_type="${type}"`))
        ?.split(' ')
        .at(-1);
    expect(value('kubelet_runtime_operations_total', 'run_podsandbox')).toBe('1');
    expect(value('kubelet_runtime_operations_total', 'create_container')).toBe('2');
    expect(value('kubelet_runtime_operations_errors_total', 'create_container')).toBe('1');
    expect(value('kubelet_runtime_operations_duration_seconds_count', 'create_container')).toBe('2');
    // A second wrapper on the same registry shares the metrics instead of failing to register.
    instrumentRuntime(createFakeRuntime({ nodeName: 'n2' }), registry);
  });
});
