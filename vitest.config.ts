import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: suites that start daemons (etcd, dockerd work, apiservers) must not starve each other.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
});
