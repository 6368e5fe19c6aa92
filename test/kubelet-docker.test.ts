// The kubelet against a real dockerd: the shared flows, plus what only Docker shows — containers of
// one pod sharing localhost, a `docker kill` noticed through the event stream, service variables
// pointing at the node proxy through the bridge gateway, host ports, and a missing image. Fails
// (does not skip) when no Docker daemon answers. Everything is labelled kubelite.test=<run id>.
import { createServer } from 'node:net';
import Dockerode from 'dockerode';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerStatus,
  eventsOf,
  isReady,
  pollUntil,
  readLog,
  shell,
  startTestNode,
  type TestNode,
  waitForPod,
} from './kubelet-fixtures.js';
import { describeKubeletFlows } from './kubelet-flows.js';

describeKubeletFlows('docker');

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('kubelet on docker', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode('docker');
  });
  afterAll(async () => {
    await node?.stop();
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`kubelite.test=${node?.runId}`] },
    });
    expect(left).toHaveLength(0);
  });

  it('runs two containers of one pod that talk over localhost', async () => {
    const { client } = node;
    await client.pods.create(
      'default',
      node.pod('duo', {
        containers: [
          shell(
            'server',
            'mkdir -p /tmp/www && echo hello-from-server > /tmp/www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /tmp/www',
          ),
          shell('client', 'until wget -q -O - http://127.0.0.1:8080/; do sleep 0.2; done; sleep 3600'),
        ],
      }),
    );
    await waitForPod(client, 'duo', isReady, 30_000, 'Ready');
    const log = await pollUntil(
      async () => {
        const text = await readLog(client, 'duo', { container: 'client' });
        return text.includes('hello-from-server') && text;
      },
      15_000,
      'the page in the client container log',
    );
    expect(log).toBe('hello-from-server\n');
  });

  it('restarts a container killed behind its back (docker kill), seen on the event stream', async () => {
    const { client } = node;
    await client.pods.create('default', node.pod('victim', { containers: [shell('main', 'sleep 3600')] }));
    const before = await waitForPod(client, 'victim', (p) => isReady(p) && p, 30_000, 'Ready');
    const id = containerStatus(before, 'main')!.containerID!.replace('docker://', '');
    await docker.getContainer(id).kill();
    const after = await waitForPod(
      client,
      'victim',
      (p) => {
        const s = containerStatus(p, 'main');
        return s?.restartCount === 1 && s.state?.running && s;
      },
      30_000,
      'restart',
    );
    expect(after.containerID).not.toBe(`docker://${id}`);
    expect(after.lastState?.terminated).toMatchObject({ exitCode: 137, containerID: `docker://${id}` });
  });

  it('gives pods service variables that reach the node proxy through the gateway', async () => {
    const { client } = node;
    const svc = await client.services.create('default', {
      metadata: { name: 'redis-master' },
      spec: { selector: { app: 'redis' }, ports: [{ name: 'db', port: 6379 }] },
    });
    await client.pods.create(
      'default',
      node.pod('envy', { containers: [shell('main', 'env | grep ^REDIS_MASTER_ | sort; sleep 3600')] }),
    );
    await waitForPod(client, 'envy', isReady, 30_000, 'Ready');
    const gateway = (await node.runtime.podNetwork()).gatewayIp;
    const nodePort = svc.spec.ports![0]!.nodePort!;
    expect(nodePort).toBeGreaterThan(0);
    const env = Object.fromEntries(
      (await readLog(client, 'envy'))
        .trim()
        .split('\n')
        .map((l) => l.split('=', 2) as [string, string]),
    );
    expect(env).toMatchObject({
      REDIS_MASTER_SERVICE_HOST: gateway,
      REDIS_MASTER_SERVICE_PORT: String(nodePort),
      REDIS_MASTER_SERVICE_PORT_DB: String(nodePort),
      REDIS_MASTER_PORT: `tcp://${gateway}:${nodePort}`,
      REDIS_MASTER_PORT_6379_TCP: `tcp://${gateway}:${nodePort}`,
      REDIS_MASTER_PORT_6379_TCP_ADDR: gateway,
    });
  });

  it('forwards a hostPort to the pod', async () => {
    const { client } = node;
    const hostPort = await freePort();
    await client.pods.create(
      'default',
      node.pod('hostport', {
        containers: [
          {
            ...shell(
              'web',
              'mkdir -p /tmp/w && echo via-host-port > /tmp/w/index.html && exec httpd -f -p 80 -h /tmp/w',
            ),
            ports: [{ containerPort: 80, hostPort }],
          },
        ],
      }),
    );
    await waitForPod(client, 'hostport', isReady, 30_000, 'Ready');
    const page = await pollUntil(
      () =>
        request(`http://127.0.0.1:${hostPort}/`).then(
          (res) => res.body.text(),
          () => undefined,
        ),
      10_000,
      'an answer on the host port',
    );
    expect(page).toBe('via-host-port\n');
  });

  it('reports a missing image as ErrImageNeverPull without crashing anything', async () => {
    const { client } = node;
    await client.pods.create(
      'default',
      node.pod('noimage', {
        containers: [{ name: 'main', image: 'kubelite/missing:0', imagePullPolicy: 'Never' }],
      }),
    );
    const waiting = await waitForPod(
      client,
      'noimage',
      (p) => containerStatus(p, 'main')?.state?.waiting,
      30_000,
      'waiting reason',
    );
    expect(waiting).toEqual({
      reason: 'ErrImageNeverPull',
      message: 'Container image "kubelite/missing:0" is not present with pull policy of Never',
    });
    expect((await client.pods.get('default', 'noimage')).status?.phase).toBe('Pending');
    expect((await eventsOf(client, 'noimage')).map((e) => e.reason)).toContain('ErrImageNeverPull');
  });
});
