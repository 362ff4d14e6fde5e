/**
 * Host side of the WebAssembly SIMD step kernel (assembly/generator.ts → build/generator.wasm). The host packs
 * the weights into the module's memory once (channel counts padded to multiples of 8 with zeros; each matrix
 * in panels of 8 output columns), writes a "plan" of sizes and pointers, and then each step is: codes in,
 * one call, logits out. The kernel allocates nothing; memory is grown once, here.
 */
import * as path from 'path';
import { WasmMemory, WasmModule, compileWasm, compileWasmSync, instantiateWasm } from '../util/wasm';
import { NetShape } from './layout';
import { StepKernel } from './ts-kernel';

export type { WasmModule };

interface WasmExports {
  memory: WasmMemory;
  step(plan: number): void;
}

/** build/generator.wasm at the package root (same relative place from src/generate and dist/generate). */
export const DEFAULT_WASM_PATH = path.resolve(__dirname, '..', '..', 'build', 'generator.wasm');
/** The same kernel with fused multiply-adds (relaxed SIMD): Node >= 22, or Node 20 after enableRelaxedSimd(). */
export const RELAXED_WASM_PATH = path.resolve(__dirname, '..', '..', 'build', 'generator-relaxed.wasm');

export interface LoadedKernel {
  module: WasmModule;
  file: string;
}

/**
 * Turn on V8's relaxed-SIMD flag (Node 20 ships it behind --experimental-wasm-relaxed-simd). Affects modules
 * compiled afterwards; a process-wide V8 setting, so it is opt-in.
 */
export function enableRelaxedSimd(): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  (require('v8') as typeof import('v8')).setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/** The files to try, in order: an explicit path alone, else the relaxed-SIMD build (when wanted) then the plain one. */
function candidates(file: string | undefined, relaxed: boolean): string[] {
  if (file) return [file];
  return relaxed ? [RELAXED_WASM_PATH, DEFAULT_WASM_PATH] : [DEFAULT_WASM_PATH];
}

/** Compile the kernel synchronously (Node allows it at any size). Cached per path. */
export function loadWasmModuleSync(file?: string, relaxed = true): LoadedKernel {
  let last: unknown = null;
  for (const f of candidates(file, relaxed)) {
    try {
      return { module: compileWasmSync(f), file: f };
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

/** Compile the kernel with WebAssembly.instantiate. Cached per path. */
export async function loadWasmModule(file?: string, relaxed = true): Promise<LoadedKernel> {
  let last: unknown = null;
  for (const f of candidates(file, relaxed)) {
    try {
      return { module: await compileWasm(f), file: f };
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

const pad8 = (n: number) => (n + 7) & ~7;

/** Pack w[K, N] (row-major) into panels of 8 columns with K padded to Kp and N to Np; rowMap/colMap place rows/columns. */
function packPanels(
  dst: Float32Array, off: number, w: Float32Array, K: number, N: number, Kp: number, Np: number,
  rowAt: (k: number) => number, colAt: (n: number) => number,
): void {
  for (let k = 0; k < K; k++) {
    const kp = rowAt(k);
    for (let n = 0; n < N; n++) {
      const np = colAt(n);
      dst[off + (np >> 3) * Kp * 8 + kp * 8 + (np & 7)] = w[k * N + n];
    }
  }
  void Np;
}

export class WasmKernel implements StepKernel {
  readonly name = 'wasm' as const;
  private readonly ex: WasmExports;
  private readonly f32: Float32Array;
  private readonly i32: Int32Array;
  private readonly planPtr: number;
  private readonly codesIdx: number;
  private readonly prevIdx: number;
  private readonly logitsView: Float32Array;
  private readonly ringIdx: number[] = [];
  private readonly B: number;
  private readonly Rp: number;
  private readonly Qp: number;
  private readonly shape: NetShape;

  constructor(module: WasmModule, shape: NetShape, w: (name: string) => Float32Array, streams: number) {
    this.ex = instantiateWasm<WasmExports>(module);
    const { R, D, S, H, Q, L, dil, onehot } = shape;
    const B = streams;
    const Rp = pad8(R), Dp = pad8(D), Sp = pad8(S), Hp = pad8(H), Qp = pad8(Q);
    this.shape = shape;
    this.B = B;
    this.Rp = Rp;
    this.Qp = Qp;
    // lay out everything after the module's own static memory, in floats, 16-byte aligned
    let top = Math.ceil(this.ex.memory.buffer.byteLength / 16) * 4;
    const alloc = (floats: number) => {
      const at = top;
      top += Math.ceil(floats / 4) * 4;
      return at;
    };
    const plan = alloc(32 + 10 * L);
    const inRows = onehot ? 2 * Q : 2;
    const inW = alloc(inRows * Rp), inB = alloc(Rp), scalar = alloc(Q);
    const codes = alloc(B), prev = alloc(B);
    const h = alloc(B * Rp), xcat = alloc(B * 2 * Rp), fg = alloc(B * 2 * Dp), z = alloc(B * Dp);
    const skip = alloc(B * Sp), hid = alloc(B * Hp), logits = alloc(B * Qp);
    const xt = alloc(B * Math.max(2 * Rp, Dp, Sp, Hp));
    const hidW = alloc(Sp * Hp), hidB = alloc(Hp), outW = alloc(Hp * Qp), outB = alloc(Qp);
    const layers: number[][] = [];
    for (let i = 0; i < L; i++) {
      layers.push([
        alloc(dil[i] * B * Rp), alloc(2 * Rp * 2 * Dp), alloc(2 * Dp), alloc(Dp * Sp), alloc(Sp),
        i < L - 1 ? alloc(Dp * Rp) : 0, i < L - 1 ? alloc(Rp) : 0,
      ]);
    }
    const needBytes = top * 4;
    const have = this.ex.memory.buffer.byteLength;
    if (needBytes > have) this.ex.memory.grow(Math.ceil((needBytes - have) / 65536));
    this.f32 = new Float32Array(this.ex.memory.buffer);
    this.i32 = new Int32Array(this.ex.memory.buffer);
    const f = this.f32, I = this.i32;
    f.fill(0, plan, top);
    // weights
    const iw = w('input/kernel');
    for (let k = 0; k < inRows; k++) f.set(iw.subarray(k * R, (k + 1) * R), inW + k * Rp);
    f.set(w('input/bias'), inB);
    f.set(shape.scalarTable, scalar);
    const id = (k: number) => k;
    for (let i = 0; i < L; i++) {
      const [ring, dW, dB, sW, sB, rW, rB] = layers[i];
      this.ringIdx.push(ring);
      packPanels(f, dW, w(`layer${i}/dilated/kernel`), 2 * R, 2 * D, 2 * Rp, 2 * Dp,
        (k) => (k < R ? k : Rp + k - R), (n) => (n < D ? n : Dp + n - D));
      const db = w(`layer${i}/dilated/bias`);
      f.set(db.subarray(0, D), dB);
      f.set(db.subarray(D), dB + Dp);
      packPanels(f, sW, w(`layer${i}/skip/kernel`), D, S, Dp, Sp, id, id);
      f.set(w(`layer${i}/skip/bias`), sB);
      if (i < L - 1) {
        packPanels(f, rW, w(`layer${i}/residual/kernel`), D, R, Dp, Rp, id, id);
        f.set(w(`layer${i}/residual/bias`), rB);
      }
      const lw = plan + 32 + 10 * i;
      I.set([dil[i], 0, ring * 4, dW * 4, dB * 4, sW * 4, sB * 4, rW * 4, rB * 4, 0], lw);
    }
    packPanels(f, hidW, w('head/hidden/kernel'), S, H, Sp, Hp, id, id);
    f.set(w('head/hidden/bias'), hidB);
    packPanels(f, outW, w('head/logits/kernel'), H, Q, Hp, Qp, id, id);
    f.set(w('head/logits/bias'), outB);
    I.set([B, L, Rp, Dp, Sp, Hp, Qp, onehot ? 1 : 0, inW * 4, inB * 4, scalar * 4, codes * 4, prev * 4, h * 4, xcat * 4,
      fg * 4, z * 4, skip * 4, hid * 4, logits * 4, hidW * 4, hidB * 4, outW * 4, outB * 4, Q, xt * 4], plan);
    this.planPtr = plan * 4;
    this.codesIdx = codes;
    this.prevIdx = prev;
    this.logitsView = f.subarray(logits, logits + B * Qp);
  }

  setState(prevCode: number, layerInputs: Float32Array[], stream?: number): void {
    const { B, Rp, f32, shape } = this;
    for (let b = 0; b < B; b++) {
      if (stream !== undefined && b !== stream) continue;
      this.i32[this.prevIdx + b] = prevCode;
      for (let i = 0; i < shape.L; i++) {
        const ring = this.ringIdx[i];
        for (let p = 0; p < shape.dil[i]; p++) f32.set(layerInputs[i], ring + (p * B + b) * Rp);
      }
    }
  }

  /** Step this kernel's streams on codes[from ..] and write their logits at logitsOut[from·Q ..]. */
  step(codes: Int32Array, logitsOut: Float32Array, from = 0): void {
    const { B, Qp } = this;
    const Q = this.shape.Q;
    const ci = this.codesIdx;
    for (let b = 0; b < B; b++) this.i32[ci + b] = codes[from + b];
    this.ex.step(this.planPtr);
    if (Q === Qp) logitsOut.set(this.logitsView, from * Q);
    else {
      const src = this.f32, base = this.logitsView.byteOffset >> 2;
      for (let b = 0; b < B; b++) for (let q = 0; q < Q; q++) logitsOut[(from + b) * Q + q] = src[base + b * Qp + q];
    }
  }
}
