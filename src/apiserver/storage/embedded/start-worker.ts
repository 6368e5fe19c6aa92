// Starts a worker thread from a module beside the caller, both when running compiled JavaScript
// (dist/) and when running the TypeScript sources (tsx, vitest): then the worker registers tsx first.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `moduleUrl` names the module with a `.js` suffix, resolved against the caller's import.meta.url. */
export function startWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const compiled = !moduleUrl.pathname.endsWith('.ts') && !import.meta.url.endsWith('.ts');
  if (compiled) return new Worker(moduleUrl, options);
  const source = new URL(moduleUrl.href.replace(/\.js$/, '.ts'));
  // tsx's ESM API (its CommonJS build cannot register the loader from a worker).
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsx)})
    .then((m) => m.register())
    .then(() => import(${JSON.stringify(source.href)}));`;
  return new Worker(bootstrap, { ...options, eval: true });
}
