// `kubelite down`: stops a `kubelite up` on the data dir and removes the cluster's pod containers;
// --purge also deletes the data dir. Every flag is also KUBELITE_<FLAG>; see `flagDocs` below.
import { parseArgs } from 'node:util';
import { downCluster } from '../up/down.js';
import { defaultDataDir } from '../up/options.js';
import { type FlagDocs, helpText } from './common.js';
import { setting } from './up.js';

export const flags = {
  'data-dir': { type: 'string' },
  purge: { type: 'boolean' },
  'keep-containers': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const flagDocs: FlagDocs<typeof flags> = {
  'data-dir': { value: 'DIR', meaning: "the cluster's data dir", default: '~/.kubelite' },
  purge: { meaning: 'also delete the data dir (store, logs, kubeconfig): the next up starts empty' },
  'keep-containers': { meaning: "leave the pods' containers running" },
};

export const usage = helpText({
  usage: 'down [flags]',
  about: `Stops the \`kubelite up\` running on the data dir (components in order), stops components a crashed
up left behind, and removes the pods' containers of the cluster's nodes.`,
  flags,
  docs: flagDocs,
  example: 'KUBELITE_DATA_DIR=/tmp/k',
});

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
