/**
 * The "fast WaveNet" cached incremental generator (Paine et al. 2016): each dilated layer keeps a ring-buffer
 * queue of its past inputs at its own dilation, per stream, so a new sample costs O(layers) instead of
 * O(receptive field). No tfjs ops and no allocation per sample.
 *
 * Initial state: after `reset()` a stream is exactly as if it had been preceded by (at least) a receptive
 * field of `initialCode` (default: the code of silence, quantizer.encode(0)). With a constant input every
 * layer is in a steady state, so reset() computes that state once and fills every queue with it. Hence
 * feeding codes c[0..t] gives the logits that WaveNet.forward computes for [initialCode × RF, c[0..t]] at its
 * last position; once t + 1 ≥ RF this no longer depends on the initial state and equals forward(c)[t + 1 − RF].
 *
 * Two kernels compute the step: the reference TypeScript one (ts-kernel.ts) and a WebAssembly SIMD one
 * (wasm-kernel.ts, compiled from assembly/generator.ts by `npm run build`). `kernel: 'auto'` takes the wasm
 * kernel when build/generator-relaxed.wasm (fused multiply-adds) or build/generator.wasm exists and compiles,
 * else the TypeScript one.
 */
import { ModelConfig } from '../model/config';
import { Quantizer } from '../quantize/quantizer';
import { WeightMap, checkWeights, netShape, NetShape } from './layout';
import { StepKernel, TsKernel } from './ts-kernel';
import { LoadedKernel, WasmKernel, loadWasmModule, loadWasmModuleSync } from './wasm-kernel';
import { SplitKernel, StepFn, workerUnavailable } from './threaded';
import { RunJob, RunResult } from './threaded-protocol';
import { PickFn, runStreams } from './loop';
import { Sampler } from '../sample/sampler';

export type { PickFn } from './loop';
import * as os from 'os';

export type KernelChoice = 'auto' | 'ts' | 'wasm';

export interface GeneratorOptions {
  /** Code the streams are taken to have been preceded by (default quantizer.encode(0)). */
  initialCode?: number;
  /** Which step kernel: 'auto' (wasm if available), or force 'ts' / 'wasm' (throws if wasm is unavailable). */
  kernel?: KernelChoice;
  /** Path of the compiled kernel (default: build/generator-relaxed.wasm if it compiles, else build/generator.wasm). */
  wasmPath?: string;
  /**
   * Try the fused-multiply-add build (build/generator-relaxed.wasm) first (default true). It compiles on
   * Node >= 22, and on Node 20 after enableRelaxedSimd() (from './wasm-kernel').
   */
  relaxedSimd?: boolean;
  /**
   * Threads that step the streams (wasm kernel only): 2 puts about half of the streams (a multiple of 4, see
   * threadSplit) on a worker thread (threaded.ts; needs ≥ 5 streams, throws otherwise); 'auto' (default) takes
   * 2 when there are ≥ 8 streams, ≥ 2 CPUs with about one idle (1-minute load average ≤ CPUs − 1) and the wasm
   * kernel, else 1 (see threadsReason): on a busy machine two threads cost more than they gain. The outputs are
   * bit-identical either way. Call close() to stop the worker early (it never keeps the process alive).
   */
  threads?: 1 | 2 | 'auto';
  /** On two threads: µs each thread polls the shared flag before sleeping on it (Atomics.wait) at each meeting (default DEFAULT_SPIN_MICROS in threaded.ts; 0 sleeps at once). */
  spinMicros?: number;
}

export class Generator {
  readonly config: ModelConfig;
  readonly streams: number;
  readonly bins: number;
  readonly receptiveField: number;
  readonly initialCode: number;
  readonly quantizer: Quantizer;
  /** The kernel in use: 'ts' or 'wasm'. */
  readonly kernel: 'ts' | 'wasm';
  /** The .wasm file of the wasm kernel, null for the TypeScript one. */
  readonly wasmFile: string | null;
  /** Why the wasm kernel was not used, when kernel is 'ts' under 'auto'. */
  readonly fallbackReason: string | null;
  /** Threads stepping the streams (1 or 2). */
  readonly threads: 1 | 2;
  /** Why one thread was used under threads: 'auto' when two were possible in principle (≥ 4 streams). */
  readonly threadsReason: string | null;
  /**
   * Streams 0 .. headStreams-1 are stepped by the worker and can be started early with startHead(); 0 on one
   * thread.
   */
  readonly headStreams: number;
  private readonly impl: StepKernel;
  private readonly split: SplitKernel | null;
  private readonly shape: NetShape;
  private readonly steady: Float32Array[];

  constructor(config: ModelConfig, weights: WeightMap, streams: number, options: GeneratorOptions = {}, wasmModule?: LoadedKernel) {
    if (!Number.isInteger(streams) || streams < 1) throw new RangeError(`streams must be a positive integer, got ${streams}`);
    this.config = config;
    this.shape = netShape(config);
    const w = checkWeights(config, weights);
    this.quantizer = new Quantizer(config.quantizer);
    this.streams = streams;
    this.bins = this.shape.Q;
    this.receptiveField = this.shape.rf;
    this.initialCode = options.initialCode ?? this.quantizer.encode(0);
    if (!Number.isInteger(this.initialCode) || this.initialCode < 0 || this.initialCode >= this.bins) {
      throw new RangeError(`initialCode must be a bin in [0, ${this.bins}), got ${this.initialCode}`);
    }
    const choice = options.kernel ?? 'auto';
    let impl: StepKernel | null = null;
    let reason: string | null = null;
    let file: string | null = null;
    const threads = options.threads ?? 'auto';
    if (threads !== 1 && threads !== 2 && threads !== 'auto') throw new RangeError(`threads must be 1, 2 or 'auto', got ${threads}`);
    if (threads === 2 && streams < 5) throw new RangeError(`threads: 2 needs at least 5 streams, got ${streams}`);
    if (threads === 2 && choice === 'ts') throw new RangeError("threads: 2 needs the wasm kernel, not kernel: 'ts'");
    this.steady = steadyState(this.shape, w, this.initialCode);
    let split: SplitKernel | null = null;
    let threadsReason: string | null = null;
    if (choice !== 'ts') {
      try {
        const loaded = wasmModule ?? loadWasmModuleSync(options.wasmPath, options.relaxedSimd ?? true);
        file = loaded.file;
        let two = threads === 2;
        if (threads === 'auto' && streams >= 8) {
          const cpus = os.cpus().length, load = os.loadavg()[0];
          threadsReason = cpus < 2 ? 'one CPU'
            : load > cpus - 1 ? `no idle CPU (load average ${load.toFixed(2)} on ${cpus} CPUs)` : workerUnavailable();
          two = threadsReason === null;
        }
        if (two) {
          split = new SplitKernel({
            module: loaded.module, shape: this.shape, weights, getWeight: w, streams, split: threadSplit(streams),
            initialCode: this.initialCode, steady: this.steady, spinMicros: options.spinMicros,
          });
          impl = split;
        } else impl = new WasmKernel(loaded.module, this.shape, w, streams);
      } catch (err) {
        if (choice === 'wasm' || threads === 2) throw err;
        reason = (err as Error).message;
      }
    }
    if (!impl && threads === 'auto' && streams >= 8 && !threadsReason) threadsReason = 'no wasm kernel';
    this.impl = impl ?? new TsKernel(this.shape, w, streams);
    this.split = split;
    this.threads = split ? 2 : 1;
    this.threadsReason = split ? null : threadsReason;
    this.headStreams = split ? split.split : 0;
    this.kernel = this.impl.name;
    this.fallbackReason = reason;
    this.wasmFile = file;
    this.reset();
  }

  /** Like the constructor, but compiles the wasm kernel with the asynchronous WebAssembly.instantiate path. */
  static async create(config: ModelConfig, weights: WeightMap, streams: number, options: GeneratorOptions = {}): Promise<Generator> {
    let mod: LoadedKernel | undefined;
    if ((options.kernel ?? 'auto') !== 'ts') {
      try {
        mod = await loadWasmModule(options.wasmPath, options.relaxedSimd ?? true);
      } catch (err) {
        if (options.kernel === 'wasm' || options.threads === 2) throw err;
        return new Generator(config, weights, streams, { ...options, kernel: 'ts' });
      }
    }
    return new Generator(config, weights, streams, options, mod);
  }

  /** Return every stream (or just `stream`) to the initial state: preceded by a receptive field of initialCode. */
  reset(stream?: number): void {
    if (stream !== undefined && !(Number.isInteger(stream) && stream >= 0 && stream < this.streams)) {
      throw new RangeError(`stream ${stream} out of range [0, ${this.streams})`);
    }
    this.impl.setState(this.initialCode, this.steady, stream);
  }

  /**
   * Feed the current code of every stream (inputCodes[s], s < streams) and write the logits predicting each
   * stream's next code into logitsOut[s·bins .. (s+1)·bins). Allocates nothing.
   */
  step(inputCodes: Int32Array, logitsOut: Float32Array): void {
    const B = this.streams, Q = this.bins;
    if (inputCodes.length < B) throw new RangeError(`step: need ${B} codes, got ${inputCodes.length}`);
    if (logitsOut.length < B * Q) throw new RangeError(`step: logitsOut needs ${B * Q} floats, got ${logitsOut.length}`);
    for (let b = 0; b < B; b++) {
      const c = inputCodes[b];
      if (!(c >= 0 && c < Q && (c | 0) === c)) throw new RangeError(`step: code ${c} of stream ${b} is not a bin in [0, ${Q})`);
    }
    this.impl.step(inputCodes, logitsOut);
  }

  /**
   * Start stepping streams 0 .. headStreams-1 (the worker's) on inputCodes[0 .. headStreams) while the caller
   * prepares the other streams' codes; the next step() completes the step (and must get the same head codes).
   * A no-op on one thread.
   */
  startHead(inputCodes: Int32Array): void {
    if (!this.split) return;
    const Q = this.bins;
    for (let b = 0; b < this.headStreams; b++) {
      const c = inputCodes[b];
      if (!(c >= 0 && c < Q && (c | 0) === c)) throw new RangeError(`step: code ${c} of stream ${b} is not a bin in [0, ${Q})`);
    }
    this.split.startHead(inputCodes);
  }

  /** Two threads only: see SplitKernel.runSplit (threaded.ts). Used by generate() with per-stream samplers. */
  runSplit(job: RunJob, runTail: (stepTail: StepFn, headProgress: () => number) => void): RunResult {
    if (!this.split) throw new Error('runSplit needs a generator on two threads');
    return this.split.runSplit(job, runTail);
  }

  /** Stop the worker thread, if any (the generator can no longer step). Idempotent. */
  close(): void {
    this.split?.close();
  }
}

/**
 * Streams on the worker when two threads step `streams` (≥ 5): a multiple of 4 near half. The wasm kernel
 * computes streams in blocks of 4 and the leftover ones singly (in another summation order), so with a
 * multiple of 4 every stream is computed exactly as on one thread.
 */
export function threadSplit(streams: number): number {
  return Math.min(4 * Math.max(1, Math.round(streams / 8)), (streams - 1) & ~3);
}

/**
 * Each layer's input under a constant input code c, in the steady state: the input conv sees (c, c), and
 * every dilated layer sees the same vector in its past and its present.
 */
function steadyState(n: NetShape, w: (name: string) => Float32Array, c: number): Float32Array[] {
  const { R, D, Q, L } = n;
  const inW = w('input/kernel'), inB = w('input/bias');
  let h = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    h[r] = n.onehot ? inW[c * R + r] + inW[(Q + c) * R + r] + inB[r] : n.scalarTable[c] * (inW[r] + inW[R + r]) + inB[r];
  }
  const out: Float32Array[] = [];
  for (let i = 0; i < L; i++) {
    out.push(Float32Array.from(h));
    if (i === L - 1) break;
    const k = w(`layer${i}/dilated/kernel`), kb = w(`layer${i}/dilated/bias`);
    const z = new Float64Array(D);
    for (let j = 0; j < D; j++) {
      let f = kb[j], g = kb[D + j];
      for (let r = 0; r < 2 * R; r++) {
        f += h[r % R] * k[r * 2 * D + j];
        g += h[r % R] * k[r * 2 * D + D + j];
      }
      z[j] = Math.tanh(f) / (1 + Math.exp(-g));
    }
    const rk = w(`layer${i}/residual/kernel`), rb = w(`layer${i}/residual/bias`);
    const next = new Float64Array(R);
    for (let r = 0; r < R; r++) {
      let s = rb[r];
      for (let j = 0; j < D; j++) s += z[j] * rk[j * R + r];
      next[r] = h[r] + s;
    }
    h = next;
  }
  return out;
}

export interface GenerateOptions {
  generator: Generator;
  /**
   * How the next sample of each stream is drawn from its logits: one Sampler per stream (its own RNG), or any
   * pick function. With samplers on a two-thread generator each thread samples its own streams and the
   * threads never meet until the end (see threaded.ts); the samples are the same either way.
   */
  samplers?: Sampler[];
  pick?: PickFn;
  /** Samples to produce per stream, seed included. */
  n: number;
  /** Seed codes per stream (or one array for all streams): fed first by teacher forcing and copied to the output. */
  seedCodes?: Int32Array | Int32Array[];
  /** Called every `progressEvery` samples (default 1000) and at the end with (done, n). */
  onProgress?: (done: number, total: number) => void;
  progressEvery?: number;
  /** Preallocated outputs (length ≥ n each); allocated when absent. */
  codesOut?: Int32Array[];
  valuesOut?: Float32Array[];
}

export interface GenerateResult {
  /** Per stream: the generated bin codes (the seed's codes first). */
  codes: Int32Array[];
  /** Per stream: the values the pick returned (for seed samples, the decoded amplitude of the seed code). */
  values: Float32Array[];
}

/**
 * Generate n samples on every stream from the generator's initial state: step every stream, pick the next
 * sample from its logits, feed it back (runStreams in loop.ts). A stream's seed is fed by teacher forcing; its
 * output's first samples are the seed's own quantized values. Streams may have seeds of different lengths.
 */
export function generate(opts: GenerateOptions): GenerateResult {
  const g = opts.generator;
  const B = g.streams, Q = g.bins, n = opts.n;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  const { samplers } = opts;
  if ((samplers === undefined) === (opts.pick === undefined)) throw new RangeError('give exactly one of samplers and pick');
  if (samplers) {
    if (samplers.length !== B) throw new RangeError(`need one sampler per stream (${B}), got ${samplers.length}`);
    for (const s of samplers) if (s.quantizer.bins !== Q) throw new RangeError(`a sampler has ${s.quantizer.bins} bins, the model ${Q}`);
  }
  const pick: PickFn = opts.pick ?? ((l, s) => samplers![s].pick(l));
  const seeds: Int32Array[] = [];
  for (let s = 0; s < B; s++) {
    const sc = opts.seedCodes;
    const seed = sc === undefined ? new Int32Array(0) : Array.isArray(sc) ? sc[s] ?? new Int32Array(0) : sc;
    for (const c of seed) if (!(c >= 0 && c < Q && (c | 0) === c)) throw new RangeError(`seed code ${c} is not a bin in [0, ${Q})`);
    seeds.push(seed);
  }
  const codes = opts.codesOut ?? Array.from({ length: B }, () => new Int32Array(n));
  const values = opts.valuesOut ?? Array.from({ length: B }, () => new Float32Array(n));
  for (let s = 0; s < B; s++) {
    if (codes[s].length < n || values[s].length < n) throw new RangeError(`output buffers of stream ${s} are shorter than n = ${n}`);
  }
  const every = Math.max(1, opts.progressEvery ?? 1000);
  const progress = (done: () => number) => (t: number) => {
    if (opts.onProgress && (t % every === 0 || t === n)) opts.onProgress(Math.min(t, done()), n);
  };
  const head = g.headStreams; // streams the worker steps (0 on one thread)
  const loop = { bins: Q, initialCode: g.initialCode, decode: (c: number) => g.quantizer.decode(c), n };
  g.reset();
  if (samplers && head > 0 && new Set(samplers.map((s) => s.rng)).size === B) {
    // independent halves: the worker samples streams 0 .. head-1 itself
    const job: RunJob = {
      n, quantizer: g.quantizer.getConfig(), seeds: seeds.slice(0, head),
      samplers: samplers.slice(0, head).map((s) => ({ config: s.getConfig(), quantizer: s.quantizer.getConfig(), rng: s.rng.getState() })),
    };
    const res = g.runSplit(job, (stepTail, headDone) => runStreams({
      ...loop, streams: B - head, step: stepTail, pick: (l, s) => pick(l, head + s), seeds: seeds.slice(head),
      codes: codes.slice(head), values: values.slice(head), onStep: progress(headDone),
    }));
    for (let s = 0; s < head; s++) {
      codes[s].set(res.codes[s]);
      values[s].set(res.values[s]);
      samplers[s].rng.setState(res.rngs[s]);
    }
    if (n > 0) opts.onProgress?.(n, n);
  } else {
    runStreams({
      ...loop, streams: B, step: (c, l) => g.step(c, l), pick, seeds, codes, values, onStep: progress(() => n),
      // lock step: start the worker's streams as soon as their codes are known
      onPicked: head > 0 ? (s, t, input) => {
        if (s + 1 === head && t + 1 < n) g.startHead(input);
      } : undefined,
    });
  }
  return { codes, values };
}
