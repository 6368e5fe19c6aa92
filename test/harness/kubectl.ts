// Runs the real /usr/bin/kubectl against a test server with its own HOME and discovery cache, so
// tests never read or write the user's ~/.kube and never see a stale cache.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Kubectl {
  /** The environment kubectl runs with (HOME, KUBECONFIG, KUBECACHEDIR in the temp dir). */
  readonly env: NodeJS.ProcessEnv;
  /** Runs kubectl with `--server URL` and the given arguments; never throws on a non-zero exit. */
  run(args: string[], options?: RunOptions): Promise<KubectlResult>;
  /** Like run() but throws (with stderr) unless the exit code is 0; returns stdout. */
  ok(args: string[], options?: RunOptions): Promise<string>;
  /** Writes a file in the temp dir (manifests) and returns its path. */
  file(name: string, content: string): string;
  cleanup(): void;
}

export interface RunOptions {
  stdin?: string;
  timeoutMs?: number;
  /** Extra environment (e.g. EDITOR for `kubectl edit`). */
  env?: NodeJS.ProcessEnv;
}

export const kubectlBinary = process.env.KUBELITE_KUBECTL ?? '/usr/bin/kubectl';

export function kubectlFor(serverUrl: string): Kubectl {
  const home = mkdtempSync(join(tmpdir(), 'kubelite-kubectl-'));
  const env = {
    ...process.env,
    HOME: home,
    KUBECACHEDIR: join(home, 'cache'),
    KUBECONFIG: join(home, 'config'),
  };
  writeFileSync(
    env.KUBECONFIG,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: test, cluster: {server: "' + serverUrl + '"}}]',
      'users: [{name: test, user: {}}]',
      'contexts: [{name: test, context: {cluster: test, user: test, namespace: default}}]',
      'current-context: test',
      '',
    ].join('\n'),
  );
  const run: Kubectl['run'] = (args, options = {}) =>
    new Promise((done) => {
      const child = execFile(
        kubectlBinary,
        args,
        { env: { ...env, ...options.env }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 << 20 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          done({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
      // A command that exits before reading its stdin makes this write EPIPE: the exit code tells.
      child.stdin?.on('error', () => {});
      if (options.stdin !== undefined) child.stdin?.end(options.stdin);
      else child.stdin?.end();
    });
  return {
    env,
    run,
    async ok(args, options) {
      const result = await run(args, options);
      if (result.code !== 0) {
        throw new Error(`kubectl ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
      }
      return result.stdout;
    },
    file(name, content) {
      const path = join(home, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup() {
      rmSync(home, { recursive: true, force: true });
    },
  };
}
