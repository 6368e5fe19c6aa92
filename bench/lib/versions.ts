// Versions of the peers and tools the benchmarks measure against (HAProxy, etcd, Docker, wrk, …),
// for machine.json: a figure next to HAProxy means little without HAProxy's version.
import { execFileSync } from 'node:child_process';

const probes: Record<string, { command: string[]; pattern: RegExp }> = {
  haproxy: { command: ['haproxy', '-v'], pattern: /HAProxy version (\S+)/ },
  etcd: { command: ['etcd', '--version'], pattern: /etcd Version: (\S+)/ },
  docker: { command: ['docker', 'version', '--format', '{{.Server.Version}}'], pattern: /^(\S+)/ },
  wrk: { command: ['wrk', '-v'], pattern: /wrk (\S+)/ },
  nginx: { command: ['nginx', '-v'], pattern: /nginx\/(\S+)/ },
  prometheus: { command: ['prometheus', '--version'], pattern: /version (\S+)/ },
  nft: { command: ['nft', '--version'], pattern: /nftables v(\S+)/ },
};

/** Each tool's version, or why it is unavailable. Never throws. */
export function toolVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, probe] of Object.entries(probes)) {
    try {
      // Some tools print their version on stderr and exit non-zero (wrk -v): read both.
      const text = execFileSync(probe.command[0]!, probe.command.slice(1), {
        timeout: 5000,
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
      });
      out[name] = probe.pattern.exec(text)?.[1] ?? text.trim().split('\n')[0] ?? 'unknown';
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: string };
      const text = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      const found = probe.pattern.exec(text)?.[1];
      out[name] =
        found ??
        (e.code === 'ENOENT' ? 'not installed' : `unavailable (${(err as Error).message.split('\n')[0]})`);
    }
  }
  return out;
}
