// `kubelite up --nodes 2 --runtime process`: the node scenario with pods as host processes.
import { describe } from 'vitest';
import { nodeScenario } from './up-scenario.js';

describe('kubelite up with the process runtime', () => {
  // The process runtime leaves nothing outside /proc: the scenario's process check covers it.
  nodeScenario('process', 'kubelite/busybox:latest', async () => 0);
});
