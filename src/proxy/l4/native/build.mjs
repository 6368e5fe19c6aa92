// Builds the splice pump addon from source with the system C++ compiler and Node's own headers (no
// download, no node-gyp cache): run by `npm install` (postinstall) and on first use when missing.
// Usage: node src/proxy/l4/native/build.mjs [--if-missing]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'splice_pump.cc');
const output = join(here, 'build', 'splice_pump.node');
const headers = [
  join(dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
];
const include = headers.find((dir) => existsSync(join(dir, 'node_api.h')));

const upToDate = existsSync(output) && statSync(output).mtimeMs >= statSync(source).mtimeMs;
if (process.argv.includes('--if-missing') && upToDate) process.exit(0);
if (!include) {
  process.stderr.write('splice pump: node_api.h not found; the proxy will use its JavaScript pump\n');
  process.exit(process.argv.includes('--optional') ? 0 : 1);
}
mkdirSync(dirname(output), { recursive: true });
const compiler = process.env.CXX ?? 'g++';
// biome-ignore format: one flag group per line
const args = [
  '-O2', '-std=c++17', '-shared', '-fPIC', '-pthread', '-Wall',
  '-DNODE_GYP_MODULE_NAME=splice_pump', `-I${include}`,
  '-o', `${output}.tmp`, source,
];
try {
  execFileSync(compiler, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  execFileSync('mv', [`${output}.tmp`, output]);
} catch (err) {
  process.stderr.write(
    `splice pump: build failed (${err.message}); the proxy will use its JavaScript pump\n`,
  );
  process.exit(process.argv.includes('--optional') ? 0 : 1);
}
