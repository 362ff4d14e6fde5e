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
import { SplitKernel, workerUnavailable } from './threaded';
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
   * threadSplit) on a worker thread (threaded.ts; needs ≥ 5 streams and dist/generate/step-worker.js from
   * `npm run build`, throws otherwise); 'auto' (default) takes 2 when there are ≥ 8 streams, ≥ 2 CPUs with
   * about one idle (1-minute load average ≤ CPUs − 1), the wasm kernel and the worker script, else 1 (see
   * threadsReason). On a busy machine lock-stepping two threads costs more than it gains (each meeting puts a
   * thread to sleep and lets another process into its core and caches). The outputs are bit-identical either way. Call close() to stop the worker early (it never keeps the process alive).
   */
  threads?: 1 | 2 | 'auto';
  /** On two threads: polls of the shared flag before sleeping on it (Atomics.wait) at each meeting (default 0: on a shared machine a spinning thread keeps the core its partner is waiting for; measured 20 µs per step round trip with 0, 55 µs with 1000 polls). */
  spinPolls?: number;
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
            initialCode: this.initialCode, steady: this.steady, spin: options.spinPolls,
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

export type PickFn = (logits: Float32Array, stream: number) => { bin: number; value: number };

export interface GenerateOptions {
  generator: Generator;
  /** Draws a bin from the logits predicting the next sample of `stream` (the sampler's pick). */
  pick: PickFn;
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
 * The generation loop: step every stream, pick the next sample from its logits, feed it back. A stream's seed
 * is fed by teacher forcing; its output's first samples are the seed's own quantized values. Streams may have
 * seeds of different lengths.
 */
export function generate(opts: GenerateOptions): GenerateResult {
  const g = opts.generator;
  const B = g.streams, Q = g.bins, n = opts.n;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
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
  const logits = new Float32Array(B * Q);
  const views = Array.from({ length: B }, (_, s) => logits.subarray(s * Q, (s + 1) * Q));
  const input = new Int32Array(B);
  const every = Math.max(1, opts.progressEvery ?? 1000);
  const head = g.headStreams; // streams stepped by the worker: started as soon as their codes are known
  g.reset();
  // One step with the initial code: the state stays the steady state, and the logits predict sample 0.
  if (n > 0) {
    input.fill(g.initialCode);
    g.step(input, logits);
  }
  for (let t = 0; t < n; t++) {
    for (let s = 0; s < B; s++) {
      const seed = seeds[s];
      if (t < seed.length) {
        codes[s][t] = seed[t];
        values[s][t] = g.quantizer.decode(seed[t]);
      } else {
        const r = opts.pick(views[s], s);
        codes[s][t] = r.bin;
        values[s][t] = r.value;
      }
      input[s] = codes[s][t];
      if (s + 1 === head && t + 1 < n) g.startHead(input);
    }
    if (t + 1 < n) g.step(input, logits);
    if (opts.onProgress && ((t + 1) % every === 0 || t + 1 === n)) opts.onProgress(t + 1, n);
  }
  return { codes, values };
}
