// The end-to-end story (issue 7): a real `kubelite up --nodes 2 --runtime docker` cluster (TLS and
// RBAC as up sets them, the admin kubeconfig it writes), the real /usr/bin/kubectl and the real
// dockerd, driven through the manifests of examples/ as a newcomer would replay them by hand
// (examples/README.md). The steps run in order and build on each other; once one fails the rest
// fail at once with its name. Fails (never skips) without Docker or the local images
// (scripts/build-images.sh). Everything it starts is removed afterwards, also on failure.
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStoryCluster, docker, exampleFile, fastFailureArgs, type PodView } from './e2e-cluster.js';
import { askRepeatedly, hostGet, hostGetOk, pollService } from './e2e-http.js';
import type { KubectlStream } from './e2e-kubectl-stream.js';
import { createStoryLog, eventually } from './e2e-wait.js';
import { isRunning, processesNaming } from './up-harness.js';

const story = createStoryLog();
const cluster = createStoryCluster(2, fastFailureArgs);
const kubectl = cluster.kubectl;

// What the steps hand on to each other.
let watch: KubectlStream | undefined;
let frozenKubelet: number | undefined;
let web = { clusterUrl: '', nodePort: 0 };
const seenWebPods = new Set<string>();
const deletedWebPods = new Set<string>();

/** Set while a step runs and kept when it fails (or times out), so later steps do not pile up. */
let stepInTrouble: string | undefined;

function step(name: string, body: () => Promise<void>, timeoutMs: number): void {
  it(
    name,
    async () => {
      if (stepInTrouble) throw new Error(`not run: the step "${stepInTrouble}" did not finish`);
      stepInTrouble = name;
      story.note(`▶ ${name}`);
      await body();
      story.note(`✓ ${name}`);
      stepInTrouble = undefined;
    },
    timeoutMs,
  );
}

/** `kubectl wait --for=<condition>`, again after each 45 s of waiting (each kubectl run is bounded to 60 s), 150 s in all. */
function kubectlWait(resource: string, condition: string): Promise<string> {
  return eventually(
    `kubectl wait --for=${condition} ${resource}`,
    () => kubectl(['wait', `--for=${condition}`, resource, '--timeout=45s']),
    150_000,
  );
}

const names = (pods: PodView[]) => pods.map((p) => p.name).sort();
const distinct = (values: string[]) => [...new Set(values)].sort();

/** Current (not terminating) web pods once exactly `count` run and are ready, with the endpoints matching. */
async function webReady(count: number, what: string, timeoutMs = 90_000): Promise<PodView[]> {
  return eventually(
    what,
    async () => {
      const all = await cluster.pods('app=web');
      const pods = all.filter((p) => !p.terminating);
      expect(all.map((p) => `${p.name} ${p.phase} ready=${p.ready}`)).toHaveLength(count);
      expect(pods.every((p) => p.ready)).toBe(true);
      expect(await cluster.endpointIps('web')).toEqual(pods.map((p) => p.ip).sort());
      for (const p of pods) seenWebPods.add(p.name);
      return pods;
    },
    timeoutMs,
    1_000,
  );
}

/** Asks the service from the host until every one of `expected` has answered; no other may answer. */
async function everyReplicaAnswers(url: string, expected: string[], maxRequests: number): Promise<void> {
  const seen = new Set<string>();
  for (let i = 0; i < maxRequests && seen.size < expected.length; i++) {
    const answer = (await hostGetOk(url)).trim();
    expect(expected, `answer ${i + 1} from ${url}`).toContain(answer);
    seen.add(answer);
  }
  expect([...seen].sort()).toEqual([...expected].sort());
}

describe('the end-to-end story: kubelite up, kubectl and Docker', () => {
  afterAll(async () => {
    if (frozenKubelet) process.kill(frozenKubelet, 'SIGCONT');
    if (stepInTrouble)
      await reportFailure().catch((err) => process.stderr.write(`no failure report: ${err}\n`));
    await cluster.cleanup();
    // Nothing of the cluster may survive: no container of its nodes, no process naming its data dir.
    expect(await cluster.clusterContainers()).toEqual([]);
    expect(processesNaming(cluster.up.dataDir)).toEqual([]);
  });

  step(
    '0. kubelite up starts two Docker nodes, and kubectl get pods -w starts watching',
    async () => {
      await cluster.start();
      expect(cluster.upOutput()).toMatch(/runtime docker: as asked/);
      expect(cluster.nodes).toHaveLength(2);
      const nodes = await kubectl(['get', 'nodes', '--no-headers']);
      for (const n of cluster.nodes) expect(nodes).toMatch(new RegExp(`^${n.name} +Ready`, 'm'));
      watch = cluster.stream(['get', 'pods', '--watch', '--output-watch-events']);
    },
    240_000,
  );

  step(
    '1. a pod of three containers (frontend, backend, db) talks over localhost',
    async () => {
      await kubectl(['apply', '-f', exampleFile('three-tier-pod.yaml')]);
      // Its readiness probe asks the frontend for the whole chain, so Ready means all three work.
      await kubectlWait('pod/three-tier', 'condition=Ready');
      const pod = await cluster.pod('three-tier');
      const ip = pod.status?.podIP ?? '';
      expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(await cluster.containersOfPod(pod.metadata.uid ?? '')).toHaveLength(4); // infra + 3

      const page = await hostGetOk(`http://${ip}/cgi-bin/app`);
      expect(page).toContain('frontend: kubelite three-tier demo');
      expect(page).toContain('backend: answered by three-tier');
      expect(page).toContain('db: 3 rows (alice, bob, carol)');
      // Backend and db listen on the pod's localhost only: the pod IP does not serve them.
      for (const port of [8080, 5432]) {
        const outcome = await hostGet(`http://${ip}:${port}/`, 5_000);
        expect(outcome, `port ${port} on the pod IP`).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
      }
      const dbLog = await kubectl(['logs', 'three-tier', '-c', 'db']);
      expect(dbLog).toContain('db: serving on 127.0.0.1:5432');
      expect(dbLog).toMatch(/^127\.0\.0\.1:\d+: response:200$/m); // the backend's queries
      story.note(`three-tier pod at ${ip} on ${pod.spec.nodeName}`);
    },
    180_000,
  );

  step(
    '2. three web replicas behind a service answer from the host and from inside a pod',
    async () => {
      await kubectl(['apply', '-f', exampleFile('web-rc.yaml'), '-f', exampleFile('web-service.yaml')]);
      const pods = await webReady(3, 'three ready web replicas in the endpoints', 120_000);
      const svc = await cluster.service('web');
      const port = svc.spec?.ports?.[0];
      expect(port?.port).toBe(80);
      expect(port?.nodePort).toBeGreaterThan(0);
      web = {
        clusterUrl: `http://${svc.spec?.clusterIP}:${port?.port}/cgi-bin/host`,
        nodePort: port?.nodePort ?? 0,
      };

      // From the host: the cluster IP (node 1's proxy), then the node port on each node's address.
      await everyReplicaAnswers(web.clusterUrl, names(pods), 30);
      for (const node of cluster.nodes) {
        const answer = (await hostGetOk(`http://${node.address}:${web.nodePort}/cgi-bin/host`)).trim();
        expect(names(pods), `node port on ${node.name}`).toContain(answer);
      }

      // From inside a pod, through WEB_SERVICE_HOST/PORT (the node port on the bridge gateway).
      await kubectl(['apply', '-f', exampleFile('web-client.yaml')]);
      await kubectlWait('pod/web-client', 'jsonpath={.status.phase}=Succeeded');
      const [first, ...answers] = (await kubectl(['logs', 'web-client'])).trim().split('\n');
      expect(first).toMatch(new RegExp(`^web service at \\d+\\.\\d+\\.\\d+\\.\\d+:${web.nodePort}$`));
      expect(answers).toHaveLength(12);
      for (const answer of answers) expect(names(pods)).toContain(answer);
      expect(
        distinct(answers).length,
        `replicas answering the client pod: ${answers}`,
      ).toBeGreaterThanOrEqual(2);
      story.note(`service ${web.clusterUrl}, node port ${web.nodePort}; client pod saw ${distinct(answers)}`);
    },
    240_000,
  );

  step(
    '3. kubectl scale rc web to 5 and back to 2: pods, endpoints and the proxy follow',
    async () => {
      await kubectl(['scale', 'rc', 'web', '--replicas=5']);
      const five = await webReady(5, 'five ready web replicas in the endpoints', 120_000);
      await everyReplicaAnswers(web.clusterUrl, names(five), 50);

      await kubectl(['scale', 'rc', 'web', '--replicas=2']);
      const two = await webReady(2, 'two web replicas left, the others gone', 120_000);
      for (const p of five) if (!names(two).includes(p.name)) deletedWebPods.add(p.name);
      expect(deletedWebPods.size).toBe(3);
      // The proxy routes only to the current replicas (once it has synced the new endpoints).
      await eventually(
        'answers only from the two current replicas',
        async () => {
          const { answers, failures } = await askRepeatedly(web.clusterUrl, 10);
          expect(failures).toEqual([]);
          expect(distinct(answers)).toEqual(names(two));
        },
        30_000,
      );

      const rc = await kubectl(['describe', 'rc', 'web']);
      expect(rc).toMatch(/Replicas:\s+2 current \/ 2 desired/);
      expect(rc).toMatch(/SuccessfulCreate\s.*Created pod: web-/);
      expect(rc).toMatch(/SuccessfulDelete\s.*Deleted pod: web-/);
      const killing = await kubectl(['get', 'events', '--field-selector', 'reason=Killing', '--no-headers']);
      for (const name of deletedWebPods) expect(killing).toContain(`pod/${name}`);
    },
    300_000,
  );

  step(
    '4. docker kill restarts a container in place; kubectl delete pod makes the RC replace it',
    async () => {
      const [victim] = await webReady(2, 'two ready web replicas');
      const killOnce = async (restartsBefore: number) => {
        const [id, ...others] = await cluster.containersOfPod(victim!.uid, 'httpd');
        expect(others).toEqual([]);
        await docker(['kill', id!]);
        return eventually(
          `${victim!.name} restarted after docker kill (${restartsBefore + 1})`,
          async () => {
            const now = (await cluster.pods('app=web')).find((p) => p.name === victim!.name);
            expect(now).toMatchObject({ restarts: restartsBefore + 1, ready: true });
            const [newId] = await cluster.containersOfPod(victim!.uid, 'httpd');
            expect(newId).toBeDefined();
            expect(newId).not.toBe(id);
          },
          90_000,
          1_000,
        );
      };
      // The first restart is immediate; the second waits out the back-off (5 s in this cluster).
      await killOnce(victim!.restarts);
      await killOnce(victim!.restarts + 1);
      const pod = await cluster.pod(victim!.name);
      expect(pod.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(137);
      // The killed instance's log is still there (httpd -v logged the readiness probes it answered).
      expect(await kubectl(['logs', '--previous', victim!.name])).toMatch(/response:200/);
      expect(await kubectl(['get', 'pod', victim!.name, '--no-headers'])).toMatch(
        new RegExp(`^${victim!.name} +1/1 +Running +${victim!.restarts + 2} \\(`),
      );
      const described = await kubectl(['describe', 'pod', victim!.name]);
      expect(described).toMatch(/Last State:\s+Terminated\s+Reason:\s+Error\s+Exit Code:\s+137/);
      expect(described).toMatch(/Warning\s+BackOff\s.*Back-off restarting failed container httpd/);
      expect(described).toMatch(/Normal\s+Started\s+.*\(x3 over .*Started container httpd/);

      // The replacement lands where the deleted pod leaves a gap: with the scheduler's spreading
      // the two replicas end up on different nodes, which step 5 needs.
      const [doomed] = await webReady(2, 'two ready web replicas');
      await kubectl(['delete', 'pod', doomed!.name, '--wait=true', '--timeout=50s']);
      deletedWebPods.add(doomed!.name);
      const replaced = await webReady(2, `a replacement for ${doomed!.name}`);
      expect(names(replaced)).not.toContain(doomed!.name);
      story.note(`restarted ${victim!.name} twice; replaced ${doomed!.name}: ${names(replaced)}`);
    },
    240_000,
  );

  step(
    '5. a frozen kubelet: its node goes NotReady, its pods move to the other node, the service keeps answering',
    async () => {
      const [node1, node2] = cluster.nodes;
      const before = await webReady(2, 'two ready web replicas');
      expect(
        before.map((p) => p.node).sort(),
        'the scheduler spreads the two replicas over both nodes',
      ).toEqual([node1!.name, node2!.name].sort());
      const lost = before.filter((p) => p.node === node2!.name);

      const poller = pollService(web.clusterUrl);
      frozenKubelet = cluster.componentPid(`kubelet-${node2!.name}`);
      process.kill(frozenKubelet, 'SIGSTOP');
      story.note(`SIGSTOP kubelet of ${node2!.name} (pid ${frozenKubelet}); its web pods: ${names(lost)}`);

      await eventually(
        `${node2!.name} not Ready`,
        async () => {
          // Silent past the grace period: Unknown, and tainted so that its pods get evicted.
          expect(await cluster.nodeState(node2!.name)).toMatchObject({
            ready: 'Unknown',
            taints: expect.arrayContaining(['node.kubernetes.io/unreachable:NoExecute']),
          });
        },
        90_000,
        1_000,
      );
      story.note(`${node2!.name} not Ready; ${JSON.stringify(poller.stats())}`);
      const after = await eventually(
        `the pods of ${node2!.name} replaced on ${node1!.name}`,
        async () => {
          const pods = await webReady(2, 'two ready web replicas', 0);
          expect(pods.map((p) => p.node)).toEqual([node1!.name, node1!.name]);
          return pods;
        },
        150_000,
        1_000,
      );
      for (const p of lost) deletedWebPods.add(p.name);
      // A little more traffic on the new endpoints before counting.
      await eventually(
        'twenty answers after the replacement',
        async () => {
          expect(poller.stats().requests).toBeGreaterThan(20);
        },
        60_000,
      );
      const stats = await poller.stop();
      story.note(`failover traffic: ${JSON.stringify(stats)}`);
      expect(stats.requests).toBeGreaterThan(20);
      // The old containers keep serving until the endpoints drop them, and the proxy retries refused
      // connects: a client should see at most a stray failure, never an outage.
      expect(stats.longestFailureRun, JSON.stringify(stats.errors)).toBeLessThanOrEqual(2);
      expect(stats.failures * 10, JSON.stringify(stats)).toBeLessThanOrEqual(stats.requests);
      const { answers, failures } = await askRepeatedly(web.clusterUrl, 10);
      expect(failures).toEqual([]);
      expect(distinct(answers)).toEqual(names(after));
      expect(cluster.upOutput()).toMatch(new RegExp(`node ${node2!.name} +NotReady`));

      process.kill(frozenKubelet, 'SIGCONT');
      frozenKubelet = undefined;
      await eventually(
        `${node2!.name} Ready again`,
        async () => {
          expect(await cluster.nodeState(node2!.name)).toEqual({ ready: 'True', taints: [] });
        },
        90_000,
        1_000,
      );
      // Back, the kubelet finds the evicted pods gone from the API and removes their containers.
      await eventually(
        'the evicted pods’ containers removed',
        async () => {
          for (const p of lost) expect(await cluster.containersOfPod(p.uid), p.name).toEqual([]);
        },
        90_000,
        1_000,
      );
      story.note(`${node2!.name} Ready again; evicted containers removed`);
    },
    420_000,
  );

  step(
    '6. kubectl logs (-f), describe and get -w tell what happened',
    async () => {
      const [pod] = await webReady(2, 'two ready web replicas');
      // httpd -v logs every request; the readiness probe alone brings a new line every 2 s.
      expect(await kubectl(['logs', pod!.name])).toMatch(/^\S+:\d+: response:200$/m);
      const follow = cluster.stream(['logs', '-f', '--tail=0', pod!.name]);
      await follow.waitFor(/response:200/, 60_000);
      expect(follow.running(), 'kubectl logs -f keeps following').toBe(true);
      await follow.stop();

      const described = await kubectl(['describe', 'pod', pod!.name]);
      expect(described).toMatch(new RegExp(`Scheduled\\s.*Successfully assigned default/${pod!.name} to `));
      for (const reason of ['Pulled', 'Created', 'Started']) {
        expect(described).toMatch(new RegExp(`Normal\\s+${reason}\\s`));
      }

      expect(watch?.running(), `kubectl get pods -w still watching: ${watch?.errors()}`).toBe(true);
      await watch!.stop();
      const rows = watch!.output().split('\n');
      const has = (event: string, name: string) =>
        rows.some((r) => new RegExp(`^${event}\\s+${name}\\s`).test(r));
      for (const name of ['three-tier', 'web-client', ...seenWebPods]) {
        expect(has('ADDED', name), `ADDED ${name}`).toBe(true);
        expect(has('MODIFIED', name), `MODIFIED ${name}`).toBe(true);
      }
      for (const name of deletedWebPods) expect(has('DELETED', name), `DELETED ${name}`).toBe(true);
    },
    180_000,
  );

  step(
    '7. Ctrl-C stops the cluster; kubelite down removes every container',
    async () => {
      const pids = cluster.up.componentPids();
      expect(Object.keys(pids)).toHaveLength(7);
      expect(await cluster.stop()).toBe(0);
      for (const [name, pid] of Object.entries(pids)) expect(isRunning(pid), name).toBe(false);
      expect((await cluster.clusterContainers()).length).toBeGreaterThan(0); // pods outlive up
      const down = await cluster.up.kubelite(['down', '--data-dir', cluster.up.dataDir]);
      expect(down.code, down.stderr).toBe(0);
      expect(await cluster.clusterContainers()).toEqual([]);
    },
    120_000,
  );
});

/** What a failed run needs to be understood: the story so far, up's terminal, pods, events, logs. */
async function reportFailure(): Promise<void> {
  // The data dir goes with the cleanup; its component logs are kept for a look afterwards.
  let logs = 'none (up never started)';
  if (existsSync(join(cluster.up.dataDir, 'logs'))) {
    logs = mkdtempSync(join(tmpdir(), 'kubelite-e2e-failure-'));
    cpSync(join(cluster.up.dataDir, 'logs'), logs, { recursive: true });
  }
  const state = await cluster.up.kubectl(['get', 'pods,endpoints,nodes', '-o', 'wide']);
  const events = await cluster.up.kubectl(['get', 'events', '--sort-by=.lastTimestamp']);
  process.stderr.write(
    [
      `e2e story failed in "${stepInTrouble}"`,
      story.text(),
      '--- kubelite up',
      cluster.upOutput(),
      '--- kubectl get pods,endpoints,nodes',
      state.stdout + state.stderr,
      '--- events',
      events.stdout.split('\n').slice(-40).join('\n'),
      `--- component logs: ${logs}`,
      '',
    ].join('\n'),
  );
}
