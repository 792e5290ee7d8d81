import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SqliteSchemaError } from './sqlite-schema.js';

/**
 * Starts one of this folder's worker modules ('sqlite-writer-worker', 'sqlite-reader-worker'). Built code
 * runs the .js file; under tsx/vitest the source is .ts, which a Node 20 worker cannot load by itself, so
 * it is started through tsx's loader (a dev dependency, only needed there).
 */
export function startWorker(module: string, workerData: unknown): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${module}.js`, here), { workerData });
  const target = new URL(`./${module}.ts`, here).href;
  const tsxApi = pathToFileURL(
    createRequire(here)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const boot = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(target)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData });
}

/**
 * Resolves when the worker says 'ready'; rejects with its start-up error (a SqliteSchemaError stays one, so
 * callers and users see "<file> has Skein schema version ...").
 */
export function whenReady(worker: Worker, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onMessage = (m: { type: string; name?: string; message?: string }) => {
      if (m.type === 'ready') {
        cleanup();
        resolve();
      } else if (m.type === 'fatal') {
        cleanup();
        reject(m.name === 'SqliteSchemaError' ? new SqliteSchemaError(m.message!) : new Error(m.message));
      }
    };
    const onError = (e: Error) => {
      cleanup();
      reject(new Error(`cannot start the ${what}: ${e.message}`));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`the ${what} exited during start-up (code ${code})`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
