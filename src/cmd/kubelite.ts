// The `kubelite` command: one binary, one subcommand per component. Each entry is a thin module in
// src/cmd/ that parses flags and environment variables and runs a library core until a signal.
import { kubeliteVersion } from '../api/version.js';

type Command = {
  describe: string;
  load: () => Promise<{ main(argv: string[]): Promise<number | undefined> }>;
};

const commands: Record<string, Command> = {
  apiserver: { describe: 'serve the Kubernetes v1 API', load: () => import('./apiserver.js') },
  scheduler: { describe: 'bind pending pods to nodes', load: () => import('./scheduler.js') },
  'controller-manager': {
    describe: 'run the replication, endpoints, node lifecycle and garbage collection controllers',
    load: () => import('./controller-manager.js'),
  },
  kubelet: { describe: 'run the pods bound to this node', load: () => import('./kubelet.js') },
  proxy: { describe: 'balance service traffic on this node', load: () => import('./proxy.js') },
  up: { describe: 'run a whole cluster on this machine', load: () => import('./up.js') },
  down: { describe: 'stop a cluster started by up, remove its containers', load: () => import('./down.js') },
  bench: { describe: 'run the benchmark suite (source checkout)', load: () => import('./bench.js') },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(20)} ${c.describe}`);
  return [
    `kubelite ${kubeliteVersion.gitVersion}`,
    '',
    'Usage: kubelite <command> [flags]',
    '',
    'Commands:',
    ...lines,
    `  ${'version'.padEnd(20)} print the version`,
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === 'version' || name === '--version') {
    process.stdout.write(`${JSON.stringify(kubeliteVersion)}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`kubelite: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  // Started by `kubelite up`: stop when the supervisor goes away (src/up/supervised.ts).
  if (process.env.KUBELITE_SUPERVISOR_FD !== undefined) {
    (await import('../up/supervised.js')).stopWhenSupervisorExits();
  }
  const module = await command.load();
  return (await module.main(rest)) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`kubelite: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
