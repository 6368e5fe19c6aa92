// The runtime conformance suite against the fake runtime (the cases that need real commands skip).
import { runRuntimeConformance } from '../src/kubelet/runtime/conformance.js';
import { createFakeRuntime, FakeStore } from '../src/kubelet/runtime/fake/index.js';

const image = 'kubelite/busybox:latest';

runRuntimeConformance(
  'fake',
  async () => {
    const store = new FakeStore();
    const options = { nodeName: 'fake-node', images: [image], store };
    const runtime = createFakeRuntime(options);
    const reopened: Array<{ close(): Promise<void> }> = [];
    return {
      runtime,
      reopen: async () => {
        await (reopened.at(-1) ?? runtime).close();
        const again = createFakeRuntime(options);
        reopened.push(again);
        return again;
      },
      cleanup: async () => {
        for (const r of [runtime, ...reopened]) await r.close();
      },
    };
  },
  { image, runsCommands: false, labels: { 'kubelite.test': 'fake' } },
);
