/**
 * Worker side of the two-thread generator (see threaded.ts): one WasmKernel over the first streams of the
 * batch, driven through a SharedArrayBuffer. The main thread bumps ctl[SEQ] and notifies; this worker runs the
 * command and publishes ctl[DONE] = that sequence number. Commands: step once (lock step), reset, or run a
 * whole generation of its streams with their own samplers (CMD_RUN, the job and result passing on a port).
 */
import { parentPort, receiveMessageOnPort, workerData } from 'worker_threads';
import { Quantizer } from '../quantize/quantizer';
import { Sampler } from '../sample/sampler';
import { Rng } from '../util/rng';
import { runStreams } from './loop';
import {
  CMD_EXIT, CMD_RUN, CMD_SET_STATE, CMD_STEP, C_ARG_CODE, C_ARG_STREAM, C_CMD, C_DONE, C_ERROR, C_PROGRESS, C_SEQ,
  RunJob, RunResult, WorkerInit, sharedViews, spinUntilChanged,
} from './threaded-protocol';
import type { WasmKernel as WasmKernelT } from './wasm-kernel';

const init = workerData as WorkerInit;
const v = sharedViews(init.sab, init.streams, init.bins);
const ctl = v.ctl;

function fail(err: unknown): void {
  const msg = new TextEncoder().encode(String((err as Error)?.stack ?? err)).subarray(0, v.err.length - 1);
  v.err.fill(0);
  v.err.set(msg);
  Atomics.store(ctl, C_ERROR, 1);
}

/** Generate this worker's streams end to end (see generate() in generator.ts) and post the result. */
function run(kernel: WasmKernelT): void {
  const got = receiveMessageOnPort(init.port);
  if (!got) throw new Error('run command without a job on the port');
  const job = got.message as RunJob;
  const B = init.streams;
  const quantizer = new Quantizer(job.quantizer);
  const rngs = job.samplers.map((s) => Rng.fromState(s.rng));
  const samplers = job.samplers.map((s, i) => new Sampler(new Quantizer(s.quantizer), s.config, rngs[i]));
  const codes = Array.from({ length: B }, () => new Int32Array(job.n));
  const values = Array.from({ length: B }, () => new Float32Array(job.n));
  runStreams({
    streams: B, bins: init.bins, initialCode: init.initialCode, step: (c, l) => kernel.step(c, l),
    pick: (l, s) => samplers[s].pick(l), decode: (c) => quantizer.decode(c), n: job.n, seeds: job.seeds,
    codes, values, onStep: (t) => {
      if ((t & 255) === 0) Atomics.store(ctl, C_PROGRESS, t);
    },
  });
  const result: RunResult = { codes, values, rngs: rngs.map((r) => r.getState()) };
  init.port.postMessage(result, [...codes.map((c) => c.buffer), ...values.map((x) => x.buffer)]);
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
  // spin a while (the main thread usually answers within microseconds), then sleep on the futex
  let seq = spinUntilChanged(ctl, C_SEQ, seen, init.spinMicros);
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
    } else if (cmd === CMD_RUN) run(kernel);
  } catch (err) {
    fail(err);
  }
  Atomics.store(ctl, C_DONE, seen);
  Atomics.notify(ctl, C_DONE);
}
init.port.close();
parentPort?.close();
