// Test-only: a fresh fake apiserver and a client for it around every test of a suite.
import { afterEach, beforeEach } from 'vitest';
import { createClient, type KubeClient } from '../rest.js';
import { type FakeApiServer, type FakeApiServerOptions, startFakeApiServer } from './fake-apiserver.js';

export interface FakeApiServerFixture {
  readonly server: FakeApiServer;
  readonly client: KubeClient;
}

/** Registers beforeEach/afterEach hooks; read `server` and `client` inside tests. */
export function useFakeApiServer(options?: FakeApiServerOptions): FakeApiServerFixture {
  const fixture = {} as { server: FakeApiServer; client: KubeClient };
  beforeEach(async () => {
    fixture.server = await startFakeApiServer(options);
    fixture.client = createClient({ server: fixture.server.url });
  });
  afterEach(async () => {
    await fixture.client.close();
    await fixture.server.close();
  });
  return fixture;
}
