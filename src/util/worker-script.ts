/**
 * Starting a worker thread from either build. From dist/ the worker is the compiled `NAME.js` in its caller's
 * folder. Run from TypeScript sources (ts-jest), it is `NAME.ts`, started through a small bootstrap that
 * compiles .ts files on require with the `typescript` package (transpile only), so tests need no prior build
 * and never run stale code. Both the gradient workers (train/) and the generator's second thread use this.
 */
import * as path from 'path';
import { Worker, WorkerOptions } from 'worker_threads';

/** Start the worker `name` (no extension) that lives in `dir` (the caller's __dirname). */
export function startWorker(dir: string, name: string, options: WorkerOptions = {}): Worker {
  const ext = path.extname(__filename); // .ts when running from sources, .js from dist/
  const file = path.join(dir, name + ext);
  if (ext !== '.ts') return new Worker(file, options);
  return new Worker(tsBootstrap(file), { ...options, eval: true });
}

function tsBootstrap(file: string): string {
  return `
const Module = require('module');
const fs = require('fs');
const req = Module.createRequire(${JSON.stringify(file)});
const ts = req('typescript');
Module._extensions['.ts'] = function (m, filename) {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions: {
    module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false } });
  m._compile(out.outputText, filename);
};
req(${JSON.stringify(file)});
`;
}
