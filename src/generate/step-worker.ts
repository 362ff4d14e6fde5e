/**
 * Worker side of the two-thread generator (see threaded.ts): one WasmKernel over the first streams of the
 * batch, driven lock-step through a SharedArrayBuffer. The main thread bumps ctl[SEQ] and notifies; this
 * worker runs the command and publishes ctl[DONE] = that sequence number. Loaded as compiled JS
 * (dist/generate/step-worker.js).
 */
import { parentPort, workerData } from 'worker_threads';
import type { WasmKernel as WasmKernelT } from './wasm-kernel';
import { CMD_EXIT, CMD_SET_STATE, CMD_STEP, C_ARG_CODE, C_ARG_STREAM, C_CMD, C_DONE, C_ERROR, C_SEQ, WorkerInit, sharedViews } from './threaded-protocol';

const init = workerData as WorkerInit;
const v = sharedViews(init.sab, init.streams, init.bins);
const ctl = v.ctl;

function fail(err: unknown): void {
  const msg = new TextEncoder().encode(String((err as Error)?.stack ?? err)).subarray(0, v.err.length - 1);
  v.err.fill(0);
  v.err.set(msg);
  Atomics.store(ctl, C_ERROR, 1);
}

let kernel: WasmKernelT | null = null;
try {
  // required here, not imported, so that a failure to load reaches the main thread as a message
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { WasmKernel } = require('./wasm-kernel') as typeof import('./wasm-kernel');
  kernel = new WasmKernel(init.module, init.shape, (n) => init.weights.get(n)!, init.streams);
  kernel.setState(init.initialCode, init.steady);
} catch (err) {
  fail(err);
}
let seen = 0;
Atomics.store(ctl, C_DONE, 0);
Atomics.notify(ctl, C_DONE);
while (kernel) {
  // spin briefly (the main thread usually answers within microseconds), then sleep on the futex
  let seq = Atomics.load(ctl, C_SEQ);
  for (let i = 0; seq === seen && i < init.spin; i++) seq = Atomics.load(ctl, C_SEQ);
  while (seq === seen) {
    Atomics.wait(ctl, C_SEQ, seen);
    seq = Atomics.load(ctl, C_SEQ);
  }
  seen = seq;
  const cmd = ctl[C_CMD];
  if (cmd === CMD_EXIT) break;
  try {
    if (cmd === CMD_STEP) kernel.step(v.codes, v.logits);
    else if (cmd === CMD_SET_STATE) {
      const s = ctl[C_ARG_STREAM];
      kernel.setState(ctl[C_ARG_CODE], init.steady, s < 0 ? undefined : s);
    }
  } catch (err) {
    fail(err);
  }
  Atomics.store(ctl, C_DONE, seen);
  Atomics.notify(ctl, C_DONE);
}
parentPort?.close();
