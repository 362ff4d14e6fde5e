/**
 * Two-thread stepping: a worker (step-worker.ts, its own wasm instance and its own copy of the weights) steps
 * the first `split` streams while the main thread steps the rest with its own WasmKernel; they meet once per
 * step through a SharedArrayBuffer (Atomics.wait/notify, after an optional spin). Sampling stays on the main
 * thread, in stream order: generate() hands the worker its streams' codes as soon as they are picked
 * (startHead), so the worker computes while the main thread picks the remaining streams. The results are
 * bit-identical to one thread: each stream's arithmetic does not depend on which instance or batch it is in.
 *
 * The worker runs compiled JS (dist/generate/step-worker.js, from `npm run build`), also when this module is
 * itself loaded from TypeScript sources (ts-jest).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { NetShape, WeightMap } from './layout';
import { StepKernel } from './ts-kernel';
import { WasmKernel, WasmModule } from './wasm-kernel';
import {
  CMD_EXIT, CMD_SET_STATE, CMD_STEP, C_ARG_CODE, C_ARG_STREAM, C_CMD, C_DONE, C_ERROR, C_SEQ, WorkerInit, sharedBytes, sharedViews,
} from './threaded-protocol';

export const WORKER_PATH = path.resolve(__dirname, '..', '..', 'dist', 'generate', 'step-worker.js');

/** Why two threads cannot be used here, or null when they can. */
export function workerUnavailable(): string | null {
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is not available';
  if (!fs.existsSync(WORKER_PATH)) return `generator worker ${WORKER_PATH} not found (run npm run build)`;
  return null;
}

const START_TIMEOUT_MS = 60000;
const STEP_TIMEOUT_MS = 60000;

/** Main-thread handle of the worker's kernel (streams 0 .. streams-1 of the batch). */
class RemoteKernel {
  private readonly worker: Worker;
  private readonly v: ReturnType<typeof sharedViews>;
  private seq = 0;
  private closed = false;

  constructor(init: Omit<WorkerInit, 'sab'>, private readonly spin: number) {
    const why = workerUnavailable();
    if (why) throw new Error(why);
    const sab = new SharedArrayBuffer(sharedBytes(init.streams, init.bins));
    this.v = sharedViews(sab, init.streams, init.bins);
    Atomics.store(this.v.ctl, C_DONE, -1);
    this.worker = new Worker(WORKER_PATH, { workerData: { ...init, sab } });
    this.worker.unref();
    this.await(0, START_TIMEOUT_MS, 'start');
  }

  private await(seq: number, timeoutMs: number, what: string): void {
    const ctl = this.v.ctl;
    let d = Atomics.load(ctl, C_DONE);
    for (let i = 0; d !== seq && i < this.spin; i++) d = Atomics.load(ctl, C_DONE);
    if (d !== seq) {
      const t0 = Date.now();
      while (d !== seq) {
        if (Atomics.load(ctl, C_ERROR)) break;
        if (Date.now() - t0 > timeoutMs) {
          this.close();
          throw new Error(`generator worker did not ${what} within ${timeoutMs / 1000} s`);
        }
        Atomics.wait(ctl, C_DONE, d, 100);
        d = Atomics.load(ctl, C_DONE);
      }
    }
    if (Atomics.load(ctl, C_ERROR)) {
      const bytes = this.v.err;
      const end = bytes.indexOf(0);
      const msg = new TextDecoder().decode(bytes.slice(0, end < 0 ? bytes.length : end));
      this.close();
      throw new Error(`generator worker failed: ${msg}`);
    }
  }

  private command(cmd: number): number {
    if (this.closed) throw new Error('generator worker is closed');
    const ctl = this.v.ctl;
    ctl[C_CMD] = cmd;
    const seq = ++this.seq;
    Atomics.store(ctl, C_SEQ, seq);
    Atomics.notify(ctl, C_SEQ);
    return seq;
  }

  /** Hand the worker codes[0 .. n) and start its step. */
  start(codes: Int32Array): void {
    const c = this.v.codes;
    for (let b = 0; b < c.length; b++) c[b] = codes[b];
    this.command(CMD_STEP);
  }

  /** Wait for the started step and copy its logits to logitsOut[0 ..). */
  finish(logitsOut: Float32Array): void {
    this.await(this.seq, STEP_TIMEOUT_MS, 'step');
    logitsOut.set(this.v.logits);
  }

  setState(prevCode: number, stream?: number): void {
    this.v.ctl[C_ARG_STREAM] = stream ?? -1;
    this.v.ctl[C_ARG_CODE] = prevCode;
    this.await(this.command(CMD_SET_STATE), STEP_TIMEOUT_MS, 'reset');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.v.ctl[C_CMD] = CMD_EXIT;
    Atomics.store(this.v.ctl, C_SEQ, ++this.seq);
    Atomics.notify(this.v.ctl, C_SEQ);
    void this.worker.terminate();
  }
}

export interface SplitKernelInit {
  module: WasmModule;
  shape: NetShape;
  weights: WeightMap;
  getWeight: (name: string) => Float32Array;
  streams: number;
  /** Streams 0 .. split-1 go to the worker, split .. streams-1 stay on the main thread. */
  split: number;
  initialCode: number;
  steady: Float32Array[];
  spin?: number;
}

export class SplitKernel implements StepKernel {
  readonly name = 'wasm' as const;
  readonly split: number;
  private readonly remote: RemoteKernel;
  private readonly local: WasmKernel;
  private readonly Q: number;
  private started = false;

  constructor(o: SplitKernelInit) {
    if (!(o.split >= 1 && o.split < o.streams)) throw new RangeError(`split ${o.split} must be in [1, ${o.streams})`);
    this.split = o.split;
    this.Q = o.shape.Q;
    const spin = o.spin ?? 0;
    this.local = new WasmKernel(o.module, o.shape, o.getWeight, o.streams - o.split);
    this.remote = new RemoteKernel({
      module: o.module, shape: o.shape, weights: o.weights, streams: o.split, bins: o.shape.Q, initialCode: o.initialCode,
      steady: o.steady, spin,
    }, spin);
  }

  /** Start the worker's streams (codes[0 .. split)) early; the next step() does the rest. */
  startHead(codes: Int32Array): void {
    if (this.started) throw new Error('startHead called twice without step');
    this.remote.start(codes);
    this.started = true;
  }

  step(codes: Int32Array, logitsOut: Float32Array): void {
    if (!this.started) this.remote.start(codes);
    this.started = false;
    this.local.step(codes, logitsOut, this.split);
    this.remote.finish(logitsOut);
  }

  setState(prevCode: number, layerInputs: Float32Array[], stream?: number): void {
    if (this.started) {
      // a reset between startHead and step: finish the started step first (its logits are discarded)
      this.started = false;
      this.remote.finish(new Float32Array(this.split * this.Q));
    }
    if (stream === undefined || stream < this.split) this.remote.setState(prevCode, stream);
    if (stream === undefined) this.local.setState(prevCode, layerInputs);
    else if (stream >= this.split) this.local.setState(prevCode, layerInputs, stream - this.split);
  }

  close(): void {
    this.remote.close();
  }
}
