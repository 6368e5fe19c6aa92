// Builds the native pump addon (tcp pairs and the http engine) from source with the system C++ compiler and Node's own headers (no
// download, no node-gyp cache): run by `npm install` (postinstall) and on first use when missing.
// Usage: node src/proxy/l4/native/build.mjs [--if-missing]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const sources = ['pump.cc', 'http_engine.cc'].map((file) => join(here, file));
const output = join(here, 'build', 'kubelite_pump.node');
const headers = [
  join(dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
];
const include = headers.find((dir) => existsSync(join(dir, 'node_api.h')));

const newestSource = Math.max(...[...sources, join(here, 'pump.h')].map((file) => statSync(file).mtimeMs));
const upToDate = existsSync(output) && statSync(output).mtimeMs >= newestSource;
if (process.argv.includes('--if-missing') && upToDate) process.exit(0);
if (!include) {
  process.stderr.write('native pump: node_api.h not found; the proxy will use its JavaScript pump\n');
  process.exit(process.argv.includes('--optional') ? 0 : 1);
}
mkdirSync(dirname(output), { recursive: true });
const compiler = process.env.CXX ?? 'g++';
// biome-ignore format: one flag group per line
const args = [
  '-O2', '-std=c++17', '-shared', '-fPIC', '-pthread', '-Wall',
  '-DNODE_GYP_MODULE_NAME=kubelite_pump', `-I${include}`,
  '-o', `${output}.${process.pid}.tmp`, ...sources,
];
try {
  execFileSync(compiler, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  execFileSync('mv', [`${output}.${process.pid}.tmp`, output]);
} catch (err) {
  process.stderr.write(
    `native pump: build failed (${err.message}); the proxy will use its JavaScript pump\n`,
  );
  process.exit(process.argv.includes('--optional') ? 0 : 1);
}
