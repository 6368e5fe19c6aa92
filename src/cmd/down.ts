// `kubelite down`: stops a `kubelite up` on the data dir and removes the cluster's pod containers;
// --purge also deletes the data dir. Every flag is also KUBELITE_<FLAG>.
import { parseArgs } from 'node:util';
import { downCluster } from '../up/down.js';
import { defaultDataDir } from '../up/options.js';
import { setting } from './up.js';

const flags = {
  'data-dir': { type: 'string' },
  purge: { type: 'boolean' },
  'keep-containers': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const usage = `Usage: kubelite down [flags]

Stops the \`kubelite up\` running on the data dir (components in order), stops components a crashed
up left behind, and removes the pods' containers of the cluster's nodes.

  --data-dir DIR        the cluster's data dir                          [~/.kubelite]
  --keep-containers     leave the pods' containers running
  --purge               also delete the data dir (store, logs, kubeconfig): the next up starts empty

Every flag can be given as KUBELITE_<FLAG> (e.g. KUBELITE_DATA_DIR).
`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false });
  const on = (name: keyof typeof flags) => ['true', '1'].includes(setting(values, name) ?? '');
  if (on('help')) {
    process.stdout.write(usage);
    return 0;
  }
  const dataDir = setting(values, 'data-dir') || defaultDataDir();
  const result = await downCluster({
    dataDir,
    purge: on('purge'),
    keepContainers: on('keep-containers'),
    say: (text) => process.stdout.write(`kubelite down: ${text}\n`),
  });
  process.stdout.write(
    `kubelite down: done (${result.removedContainers} pod sandbox(es) removed${result.purged ? ', data dir deleted' : ''})\n`,
  );
  return 0;
}
