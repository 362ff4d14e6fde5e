/**
 * e^x in float64, about 3x faster than Math.exp in V8 (measured 5.5 vs 16 ns per call inside a softmax loop),
 * within 1e-13 relative error. Softmax over Q = 256 bins is most of the cost of a pick, and generation makes
 * one pick per sample per stream, so this is on the generation hot path.
 *
 * Method: x = (32m + j)·ln2/32 + r with |r| ≤ ln2/64; e^x = 2^m · 2^(j/32) · e^r, with e^r by its degree-6
 * Taylor polynomial (r^7/7! < 2e-17 here) and the powers of two from tables. assembly/softmax.ts repeats
 * these operations exactly (its constants come from here), so the sampler's wasm path is bit-identical.
 */
export const ROUND = 6755399441055744.0; // 1.5·2^52: (y + ROUND) − ROUND rounds y to an integer
export const K = 32 / Math.LN2;
export const LN2_32_HI = 6.93147180369123816490e-1 / 32; // ln2 split in two (fdlibm) so k·hi is exact
export const LN2_32_LO = 1.90821492927058770002e-10 / 32;
export const FRAC = Float64Array.from({ length: 32 }, (_, j) => Math.pow(2, j / 32));
const POW2_OFFSET = 1030; // 2^m for m in [-1030, 1110): covers |x| < 709
const POW2 = Float64Array.from({ length: 2140 }, (_, i) => Math.pow(2, i - POW2_OFFSET));

export function fastExp(x: number): number {
  if (!(x > -708 && x < 709)) return Math.exp(x); // subnormal results, overflow, NaN, ±Infinity
  const kf = x * K + ROUND - ROUND;
  const k = kf | 0;
  const r = x - kf * LN2_32_HI - kf * LN2_32_LO;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720))))));
  return p * FRAC[k & 31] * POW2[(k >> 5) + POW2_OFFSET];
}
