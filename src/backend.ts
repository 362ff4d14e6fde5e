/**
 * Run-time choice of the TensorFlow.js backend. `auto` tries, in order: tfjs-node-gpu (CUDA), tfjs-node
 * (libtensorflow on CPU), wasm (SIMD, ships in npm), and the pure-JS cpu backend, and reports why it passed
 * over each one it did not take. The native packages are optionalDependencies: where their install script
 * could not fetch libtensorflow they are simply absent.
 */
import * as tf from '@tensorflow/tfjs';
import * as path from 'path';
import { UserError } from './util/errors';
import { installWasmKernels } from './wasm-kernels';

export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export interface BackendReport {
  name: string;
  skipped: { name: string; reason: string }[];
}

let current: BackendReport | null = null;

function shortReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e && e.code === 'MODULE_NOT_FOUND') return 'not installed';
  return (e?.message ?? String(err)).split('\n')[0].slice(0, 160);
}

async function tryNative(pkg: string): Promise<void> {
  // Loading the package registers the 'tensorflow' backend against the same tfjs-core instance.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  require(pkg);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('backend failed to initialise');
}

async function tryWasm(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  wasm.setWasmPaths(dir + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
  installWasmKernels();
}

async function tryCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend failed to initialise');
}

const CANDIDATES: { name: string; choice: BackendChoice; init: () => Promise<void> }[] = [
  { name: 'tensorflow (tfjs-node-gpu, CUDA)', choice: 'tensorflow', init: () => tryNative('@tensorflow/tfjs-node-gpu') },
  { name: 'tensorflow (tfjs-node, CPU)', choice: 'tensorflow', init: () => tryNative('@tensorflow/tfjs-node') },
  { name: 'wasm', choice: 'wasm', init: tryWasm },
  { name: 'cpu', choice: 'cpu', init: tryCpu },
];

/**
 * Select a backend once per process. Asking again for the same choice is free; a different explicit choice
 * switches backends.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendReport> {
  if (current && (choice === 'auto' || current.name.startsWith(choice))) return current;
  const skipped: BackendReport['skipped'] = [];
  for (const c of CANDIDATES) {
    if (choice !== 'auto' && c.choice !== choice) continue;
    try {
      await c.init();
      await tf.ready();
      current = { name: c.name, skipped };
      return current;
    } catch (err) {
      skipped.push({ name: c.name, reason: shortReason(err) });
    }
  }
  const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new UserError(`no usable TensorFlow.js backend for --backend ${choice} (${why})`);
}

/** One line for the user: what we got and what we passed over. */
export function describeBackend(r: BackendReport): string {
  const passed = r.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  return `backend: ${r.name}${passed ? ` (passed over ${passed})` : ''}`;
}
