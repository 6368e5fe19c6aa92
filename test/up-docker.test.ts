// `kubelite up --nodes 2 --runtime docker`: the node scenario with real containers. Fails (never
// skips) without a Docker daemon or the local images: `up --runtime docker` refuses to start then.
import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';
import { nodeScenario } from './up-scenario.js';

function containersOf(nodeNames: string[]): number {
  let count = 0;
  for (const name of nodeNames) {
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=io.kubelite.node=${name}`], {
      encoding: 'utf8',
    });
    count += ids.split('\n').filter(Boolean).length;
  }
  return count;
}

describe('kubelite up with the docker runtime', () => {
  nodeScenario('docker', 'kubelite/busybox:latest', async (nodes) => containersOf(nodes));
});
