/**
 * WaveNet's quantizer: continuous μ-law companding F(x) = sign(x)·ln(1+μ|x|)/ln(1+μ) (or the identity for
 * linear), then Q equal-width bins over the companded range [-1, 1]. μ and Q are independent.
 *
 * Bins are "mid-rise": bin b covers companded values [-1 + 2b/Q, -1 + 2(b+1)/Q) and decodes to the centre of
 * that interval, expanded back to amplitude. This is the one quantizer of binwave: the dataset, the loss, the
 * sampler and the evaluation all go through it.
 */
export type Companding = 'mulaw' | 'linear';

export interface QuantizerConfig {
  bins: number;
  mu: number;
  companding: Companding;
}

export const DEFAULT_QUANTIZER: QuantizerConfig = { bins: 256, mu: 255, companding: 'mulaw' };

/** Below this μ, μ-law is the identity to double precision (ln(1+μx)/ln(1+μ) = x + O(μ)). */
const MU_LINEAR_LIMIT = 1e-9;

export interface EncodeResult {
  codes: Int32Array;
  /** Samples outside [-1, 1] (clipped to the end bins) and non-finite samples (mapped to the centre). */
  clipped: number;
  nonFinite: number;
}

export class Quantizer {
  readonly bins: number;
  readonly mu: number;
  readonly companding: Companding;
  /** Amplitude of each bin's centre (length Q). */
  readonly centres: Float64Array;
  /** Amplitude of each bin's edges (length Q + 1), edges[0] = -1, edges[Q] = 1. */
  readonly edges: Float64Array;
  private readonly logOnePlusMu: number;
  private readonly isLinear: boolean;

  constructor(config: Partial<QuantizerConfig> = {}) {
    const c = { ...DEFAULT_QUANTIZER, ...config };
    if (!Number.isInteger(c.bins) || c.bins < 2 || c.bins > 65536) {
      throw new RangeError(`bins must be an integer from 2 to 65536, got ${c.bins}`);
    }
    if (!(c.mu >= 0) || !Number.isFinite(c.mu)) throw new RangeError(`mu must be finite and >= 0, got ${c.mu}`);
    if (c.companding !== 'mulaw' && c.companding !== 'linear') {
      throw new RangeError(`companding must be mulaw or linear, got ${String(c.companding)}`);
    }
    this.bins = c.bins;
    this.mu = c.mu;
    this.companding = c.companding;
    this.isLinear = c.companding === 'linear' || c.mu < MU_LINEAR_LIMIT;
    this.logOnePlusMu = Math.log1p(c.mu);
    this.centres = new Float64Array(this.bins);
    this.edges = new Float64Array(this.bins + 1);
    for (let b = 0; b <= this.bins; b++) this.edges[b] = this.expand(-1 + (2 * b) / this.bins);
    this.edges[0] = -1;
    this.edges[this.bins] = 1;
    for (let b = 0; b < this.bins; b++) this.centres[b] = this.expand(this.companded(b));
  }

  getConfig(): QuantizerConfig {
    return { bins: this.bins, mu: this.mu, companding: this.companding };
  }

  /** Amplitude in [-1, 1] → companded value in [-1, 1]. */
  compress(x: number): number {
    if (this.isLinear) return x;
    const s = x < 0 ? -1 : 1;
    return (s * Math.log1p(this.mu * Math.abs(x))) / this.logOnePlusMu;
  }

  /** Companded value in [-1, 1] → amplitude (inverse of compress). */
  expand(y: number): number {
    if (this.isLinear) return y;
    const s = y < 0 ? -1 : 1;
    return (s * Math.expm1(Math.abs(y) * this.logOnePlusMu)) / this.mu;
  }

  /** Centre of bin b in the companded domain. */
  companded(bin: number): number {
    return -1 + (2 * bin + 1) / this.bins;
  }

  /** Width of one bin in the companded domain. */
  get step(): number {
    return 2 / this.bins;
  }

  /** Amplitude → bin index. Out-of-range input is clipped to the end bins; NaN maps to the bin holding 0. */
  encode(x: number): number {
    if (!Number.isFinite(x)) x = Number.isNaN(x) ? 0 : Math.sign(x);
    const clipped = x > 1 ? 1 : x < -1 ? -1 : x;
    const b = Math.floor(((this.compress(clipped) + 1) / 2) * this.bins);
    return b >= this.bins ? this.bins - 1 : b < 0 ? 0 : b;
  }

  /** Bin index → amplitude of its centre. */
  decode(bin: number): number {
    return this.centres[bin];
  }

  encodeArray(x: ArrayLike<number>): EncodeResult {
    const codes = new Int32Array(x.length);
    let clipped = 0;
    let nonFinite = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (!Number.isFinite(v)) nonFinite++;
      else if (v > 1 || v < -1) clipped++;
      codes[i] = this.encode(v);
    }
    return { codes, clipped, nonFinite };
  }

  decodeArray(codes: ArrayLike<number>): Float32Array {
    const out = new Float32Array(codes.length);
    for (let i = 0; i < codes.length; i++) out[i] = this.centres[codes[i]];
    return out;
  }

  /** Quantize then decode: what the model can represent of x. */
  roundTrip(x: ArrayLike<number>): Float32Array {
    return this.decodeArray(this.encodeArray(x).codes);
  }

  /** [lower, upper] amplitude edges of a bin. */
  binEdges(bin: number): [number, number] {
    return [this.edges[bin], this.edges[bin + 1]];
  }

  /** Width of a bin in amplitude: turns a bin probability into a density (NLL + log2 width). */
  binWidth(bin: number): number {
    return this.edges[bin + 1] - this.edges[bin];
  }

  /** Amplitude for a fractional bin position (e.g. 12.3): linear in the companded domain, then expanded. */
  decodeFractional(position: number): number {
    const y = -1 + (2 * position + 1) / this.bins;
    return this.expand(y > 1 ? 1 : y < -1 ? -1 : y);
  }
}
