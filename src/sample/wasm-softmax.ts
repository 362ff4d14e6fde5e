/**
 * The sampler's softmax weights in WebAssembly SIMD (assembly/softmax.ts, built to build/softmax.wasm by
 * `npm run build`): the same float64 operations as softmaxWeights in sampler.ts, bit for bit, about 4x faster.
 * A pick is one softmax over Q bins per generated sample and stream, so this is on the generation hot path.
 * Each instance owns a small wasm memory holding its logits (f32) and weights (f64); `weights` is a view of the
 * latter and serves as the Sampler's probability buffer.
 */
import * as path from 'path';
import { WasmMemory, WasmModule, compileWasmSync, instantiateWasm } from '../util/wasm';
import { FRAC, K, LN2_32_HI, LN2_32_LO, ROUND } from './fast-exp';

export const SOFTMAX_WASM_PATH = path.resolve(__dirname, '..', '..', 'build', 'softmax.wasm');

interface Exports {
  memory: WasmMemory;
  softmaxWeights(lp: number, wp: number, n: number, inv: number, consts: number): number;
}

let compiled: WasmModule | null | undefined;

/** The compiled module, or null when it is not built or WebAssembly SIMD is unavailable (then the TS path runs). */
function module(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = compileWasmSync(SOFTMAX_WASM_PATH);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export class WasmSoftmax {
  /** The weights of the last compute(), length n. */
  readonly weights: Float64Array;
  private readonly logits: Float32Array;
  private readonly ex: Exports;
  private readonly lp: number;
  private readonly wp: number;
  private readonly consts: number;

  private constructor(mod: WasmModule, readonly n: number) {
    this.ex = instantiateWasm<Exports>(mod);
    const base = Math.ceil(this.ex.memory.buffer.byteLength / 16) * 16; // after the module's static memory
    this.consts = base;
    this.wp = base + 8 * (4 + FRAC.length);
    this.lp = this.wp + 8 * n;
    const need = this.lp + 4 * n + 16;
    const have = this.ex.memory.buffer.byteLength;
    if (need > have) this.ex.memory.grow(Math.ceil((need - have) / 65536));
    const buf = this.ex.memory.buffer;
    new Float64Array(buf, this.consts, 4 + FRAC.length).set([K, LN2_32_HI, LN2_32_LO, ROUND, ...FRAC]);
    this.weights = new Float64Array(buf, this.wp, n);
    this.logits = new Float32Array(buf, this.lp, n);
  }

  /** An instance for n bins, or null when build/softmax.wasm is missing or does not compile here. */
  static create(n: number): WasmSoftmax | null {
    const mod = module();
    return mod ? new WasmSoftmax(mod, n) : null;
  }

  /** softmaxWeights(logits, this.weights, temperature), returning the sum; logits.length must be n. */
  compute(logits: Float32Array, temperature: number): number {
    this.logits.set(logits);
    return this.ex.softmaxWeights(this.lp, this.wp, this.n, 1 / temperature, this.consts);
  }
}
