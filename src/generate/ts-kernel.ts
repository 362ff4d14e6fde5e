/**
 * The reference cached-generation kernel in plain TypeScript: typed arrays, no allocation per step. Every
 * weight matrix is stored transposed ([out, in] row-major) so one output is a dot product over a contiguous
 * row, and the streams of a batch share each row while it is in L1 (weights outer, streams inner).
 */
import { NetShape, transpose } from './layout';

export interface StepKernel {
  readonly name: 'ts' | 'wasm';
  /** Set every queue of the given streams (all when undefined) to the per-layer state `layerInputs[i]` (length R). */
  setState(prevCode: number, layerInputs: Float32Array[], stream?: number): void;
  step(codes: Int32Array, logitsOut: Float32Array): void;
}

/**
 * out[b, n] = (acc ? out[b, n] : 0) + (bias[n] + Σ_k x[b, k]·wt[n, k]) for b < B. Streams go four at a time
 * through each weight row, so every weight load serves four multiply-adds.
 */
function denseT(
  x: Float32Array, B: number, K: number, wt: Float32Array, bias: Float32Array, N: number, out: Float32Array, acc: boolean,
): void {
  const B4 = B & ~3;
  for (let n = 0; n < N; n++) {
    const row = n * K;
    const bn = bias[n];
    let b = 0;
    for (; b < B4; b += 4) {
      const x0 = b * K, x1 = x0 + K, x2 = x1 + K, x3 = x2 + K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < K; k++) {
        const w = wt[row + k];
        s0 += x[x0 + k] * w;
        s1 += x[x1 + k] * w;
        s2 += x[x2 + k] * w;
        s3 += x[x3 + k] * w;
      }
      const o = b * N + n;
      if (acc) {
        out[o] += bn + s0;
        out[o + N] += bn + s1;
        out[o + 2 * N] += bn + s2;
        out[o + 3 * N] += bn + s3;
      } else {
        out[o] = bn + s0;
        out[o + N] = bn + s1;
        out[o + 2 * N] = bn + s2;
        out[o + 3 * N] = bn + s3;
      }
    }
    for (; b < B; b++) {
      const xo = b * K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let k = 0;
      for (; k + 4 <= K; k += 4) {
        s0 += x[xo + k] * wt[row + k];
        s1 += x[xo + k + 1] * wt[row + k + 1];
        s2 += x[xo + k + 2] * wt[row + k + 2];
        s3 += x[xo + k + 3] * wt[row + k + 3];
      }
      for (; k < K; k++) s0 += x[xo + k] * wt[row + k];
      const v = bn + (s0 + s1 + (s2 + s3));
      const o = b * N + n;
      out[o] = acc ? out[o] + v : v;
    }
  }
}

export class TsKernel implements StepKernel {
  readonly name = 'ts' as const;
  private readonly n: NetShape;
  private readonly B: number;
  private readonly inW: Float32Array;
  private readonly inB: Float32Array;
  private readonly dilWt: Float32Array[] = [];
  private readonly dilB: Float32Array[] = [];
  private readonly skipWt: Float32Array[] = [];
  private readonly skipB: Float32Array[] = [];
  private readonly resWt: Float32Array[] = [];
  private readonly resB: Float32Array[] = [];
  private readonly hidWt: Float32Array;
  private readonly hidB: Float32Array;
  private readonly outWt: Float32Array;
  private readonly outB: Float32Array;
  /** rings[i]: d_i slots of [B, R]; slot pos[i] holds the layer input of d_i steps ago. */
  private readonly rings: Float32Array[] = [];
  private readonly pos: Int32Array;
  private readonly prev: Int32Array;
  private readonly h: Float32Array;
  private readonly xcat: Float32Array;
  private readonly fg: Float32Array;
  private readonly z: Float32Array;
  private readonly skip: Float32Array;
  private readonly hid: Float32Array;

  constructor(shape: NetShape, w: (name: string) => Float32Array, streams: number) {
    const { R, D, S, H, Q, L } = shape;
    this.n = shape;
    this.B = streams;
    this.inW = w('input/kernel').slice();
    this.inB = w('input/bias').slice();
    for (let i = 0; i < L; i++) {
      this.dilWt.push(transpose(w(`layer${i}/dilated/kernel`), 2 * R, 2 * D));
      this.dilB.push(w(`layer${i}/dilated/bias`).slice());
      this.skipWt.push(transpose(w(`layer${i}/skip/kernel`), D, S));
      this.skipB.push(w(`layer${i}/skip/bias`).slice());
      if (i < L - 1) {
        this.resWt.push(transpose(w(`layer${i}/residual/kernel`), D, R));
        this.resB.push(w(`layer${i}/residual/bias`).slice());
      }
      this.rings.push(new Float32Array(shape.dil[i] * streams * R));
    }
    this.hidWt = transpose(w('head/hidden/kernel'), S, H);
    this.hidB = w('head/hidden/bias').slice();
    this.outWt = transpose(w('head/logits/kernel'), H, Q);
    this.outB = w('head/logits/bias').slice();
    this.pos = new Int32Array(L);
    this.prev = new Int32Array(streams);
    this.h = new Float32Array(streams * R);
    this.xcat = new Float32Array(streams * 2 * R);
    this.fg = new Float32Array(streams * 2 * D);
    this.z = new Float32Array(streams * D);
    this.skip = new Float32Array(streams * S);
    this.hid = new Float32Array(streams * H);
  }

  setState(prevCode: number, layerInputs: Float32Array[], stream?: number): void {
    const { R, L } = this.n;
    const B = this.B;
    for (let b = 0; b < B; b++) {
      if (stream !== undefined && b !== stream) continue;
      this.prev[b] = prevCode;
      for (let i = 0; i < L; i++) {
        const ring = this.rings[i];
        for (let p = 0; p < this.n.dil[i]; p++) ring.set(layerInputs[i], (p * B + b) * R);
      }
    }
  }

  step(codes: Int32Array, logitsOut: Float32Array): void {
    const { R, D, S, H, Q, L, dil, onehot, scalarTable } = this.n;
    const B = this.B;
    const { h, xcat, fg, z, skip, hid, inW, inB } = this;
    // input layer: causal kernel-2 conv over the (one-hot or scalar) input
    for (let b = 0; b < B; b++) {
      const c = codes[b];
      const p = this.prev[b];
      this.prev[b] = c;
      const ho = b * R;
      if (onehot) {
        const rp = p * R, rc = (Q + c) * R;
        for (let r = 0; r < R; r++) h[ho + r] = inW[rp + r] + inW[rc + r] + inB[r];
      } else {
        const vp = scalarTable[p], vc = scalarTable[c];
        for (let r = 0; r < R; r++) h[ho + r] = vp * inW[r] + vc * inW[R + r] + inB[r];
      }
    }
    const R2 = 2 * R, D2 = 2 * D;
    for (let i = 0; i < L; i++) {
      const ring = this.rings[i];
      const slot = this.pos[i] * B * R;
      const np = this.pos[i] + 1;
      this.pos[i] = np === dil[i] ? 0 : np;
      for (let b = 0; b < B; b++) {
        const so = slot + b * R, ho = b * R, xo = b * R2;
        for (let r = 0; r < R; r++) {
          xcat[xo + r] = ring[so + r];
          const v = h[ho + r];
          xcat[xo + R + r] = v;
          ring[so + r] = v;
        }
      }
      denseT(xcat, B, R2, this.dilWt[i], this.dilB[i], D2, fg, false);
      for (let b = 0; b < B; b++) {
        const fo = b * D2, zo = b * D;
        for (let j = 0; j < D; j++) {
          z[zo + j] = Math.tanh(fg[fo + j]) / (1 + Math.exp(-fg[fo + D + j]));
        }
      }
      denseT(z, B, D, this.skipWt[i], this.skipB[i], S, skip, i > 0);
      if (i < L - 1) denseT(z, B, D, this.resWt[i], this.resB[i], R, h, true);
    }
    for (let k = 0; k < B * S; k++) if (skip[k] < 0) skip[k] = 0;
    denseT(skip, B, S, this.hidWt, this.hidB, H, hid, false);
    for (let k = 0; k < B * H; k++) if (hid[k] < 0) hid[k] = 0;
    denseT(hid, B, H, this.outWt, this.outB, Q, logitsOut, false);
  }
}
