/**
 * Two threads for one Generator: a worker (step-worker.ts, its own wasm instance and its own copy of the
 * weights) owns the first `split` streams, the main thread the rest (its own WasmKernel). Two ways to use them:
 *  - lock step (step()): both halves step once, meeting through a SharedArrayBuffer (each side polls for up to
 *    DEFAULT_SPIN_MICROS, then sleeps with Atomics.wait). Sampling stays on the main thread, in stream order:
 *    generate() hands the worker its streams' codes as soon as they are picked (startHead), so the worker
 *    computes while the main thread picks the remaining streams. Serves any pick function.
 *  - independent halves (runSplit()): when every stream has its own Sampler, the worker also samples its own
 *    streams and the two threads never meet until the end.
 * Either way the results are bit-identical to one thread: each stream's arithmetic does not depend on which
 * instance or batch it is in, and each stream's sampler draws from its own RNG.
 *
 * The worker is started with util/worker-script (compiled JS from dist/, TypeScript from sources).
 */
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'worker_threads';
import { startWorker } from '../util/worker-script';
import { NetShape, WeightMap } from './layout';
import { StepKernel } from './ts-kernel';
import { WasmKernel, WasmModule } from './wasm-kernel';
import {
  CMD_EXIT, CMD_RUN, CMD_SET_STATE, CMD_STEP, C_ARG_CODE, C_ARG_STREAM, C_CMD, C_DONE, C_ERROR, C_PROGRESS, C_SEQ, RunJob,
  RunResult, WorkerInit, sharedBytes, sharedViews, spinUntilChanged,
} from './threaded-protocol';

/** Why two threads cannot be used here, or null when they can. */
export function workerUnavailable(): string | null {
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is not available';
  return null;
}

const START_TIMEOUT_MS = 60000;
/**
 * How long each thread polls at a meeting before it sleeps: about ten steps of the reference preset. Measured
 * at batch 16 on an idle 2-core VM: 50-66k samples/s sleeping at once, 99k polling 100 µs, 105-114k polling
 * 1 ms or more. The generator takes two threads only when about one CPU is idle, so the poll takes no one's core.
 */
export const DEFAULT_SPIN_MICROS = 1000;
const STEP_TIMEOUT_MS = 60000;

/** Main-thread handle of the worker's kernel (streams 0 .. streams-1 of the batch). */
class RemoteKernel {
  private readonly worker: Worker;
  private readonly v: ReturnType<typeof sharedViews>;
  private readonly port: MessagePort;
  private seq = 0;
  private closed = false;

  constructor(init: Omit<WorkerInit, 'sab' | 'port'>, private readonly spinMicros: number) {
    const why = workerUnavailable();
    if (why) throw new Error(why);
    const sab = new SharedArrayBuffer(sharedBytes(init.streams, init.bins));
    this.v = sharedViews(sab, init.streams, init.bins);
    Atomics.store(this.v.ctl, C_DONE, -1);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = startWorker(__dirname, 'step-worker', { workerData: { ...init, sab, port: port2 }, transferList: [port2] });
    this.worker.unref();
    this.await(0, START_TIMEOUT_MS, 'start');
  }

  private await(seq: number, timeoutMs: number, what: string): void {
    const ctl = this.v.ctl;
    let d = Atomics.load(ctl, C_DONE);
    if (d !== seq) d = spinUntilChanged(ctl, C_DONE, d, this.spinMicros);
    if (d !== seq) {
      let t0 = Date.now();
      let progress = Atomics.load(ctl, C_PROGRESS);
      while (d !== seq) {
        if (Atomics.load(ctl, C_ERROR)) break;
        const p = Atomics.load(ctl, C_PROGRESS);
        if (p !== progress) {
          // a run that makes progress is not stuck, however long it takes
          progress = p;
          t0 = Date.now();
        } else if (Date.now() - t0 > timeoutMs) {
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

  /** Start generating the worker's streams end to end (see generate()). */
  startRun(job: RunJob): void {
    Atomics.store(this.v.ctl, C_PROGRESS, 0);
    this.port.postMessage(job);
    this.command(CMD_RUN);
  }

  /** Samples per stream the running job has done (updated every 256). */
  runProgress(): number {
    return Atomics.load(this.v.ctl, C_PROGRESS);
  }

  /** Wait for the started run and return its result. */
  finishRun(): RunResult {
    this.await(this.seq, STEP_TIMEOUT_MS, 'generate');
    const got = receiveMessageOnPort(this.port);
    if (!got) throw new Error('generator worker finished a run without a result');
    return got.message as RunResult;
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
    this.port.close();
    void this.worker.terminate();
  }
}

export type StepFn = (codes: Int32Array, logitsOut: Float32Array) => void;

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
  /** µs each side polls before sleeping at a meeting (default DEFAULT_SPIN_MICROS). */
  spinMicros?: number;
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
    const spin = o.spinMicros ?? DEFAULT_SPIN_MICROS;
    this.local = new WasmKernel(o.module, o.shape, o.getWeight, o.streams - o.split);
    this.remote = new RemoteKernel({
      module: o.module, shape: o.shape, weights: o.weights, streams: o.split, bins: o.shape.Q, initialCode: o.initialCode,
      steady: o.steady, spinMicros: spin,
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

  /**
   * Independent halves, no meeting per step: the worker generates its streams end to end with `job` while
   * `runTail` generates the others on this thread, stepping them with `stepTail` (codes and logits numbered
   * from the first of them); then the worker's result is returned.
   */
  runSplit(job: RunJob, runTail: (stepTail: StepFn, headProgress: () => number) => void): RunResult {
    if (this.started) throw new Error('runSplit during a started step');
    this.remote.startRun(job);
    try {
      runTail((c, l) => this.local.step(c, l), () => this.remote.runProgress());
    } catch (err) {
      this.remote.finishRun(); // let the worker finish before the next command
      throw err;
    }
    return this.remote.finishRun();
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
