// WebAssembly SIMD softmax weights for the sampler (src/sample/wasm-softmax.ts hosts it), computed with exactly
// the float64 operations of softmaxWeights in src/sample/sampler.ts and fastExp in src/sample/fast-exp.ts, in
// the same order: the results are bit-identical to the TypeScript ones (tested), two lanes at a time.
// No fused multiply-adds (a fused a·b + c rounds once, JavaScript twice). Build:
//   npx asc assembly/softmax.ts -o build/softmax.wasm --enable simd -O3 --runtime stub --noAssert
//
// Memory the host writes: at `consts`, f64 [K, LN2_32_HI, LN2_32_LO, ROUND, FRAC[0..31]] (fast-exp.ts's).

/**
 * w[i] = e^((l[i] − max l) · inv) for i < n (0 where the exponent is ≤ −708, NaN stays NaN); returns Σ w in
 * index order. l is f32 at lp, w is f64 at wp.
 */
export function softmaxWeights(lp: usize, wp: usize, n: i32, inv: f64, consts: usize): f64 {
  const mv = <f64>maxOf(lp, n);
  const K = load<f64>(consts), HI = load<f64>(consts, 8), LO = load<f64>(consts, 16), ROUND = load<f64>(consts, 24);
  const frac = consts + 32;
  let s: f64 = 0;
  let i = 0;
  // four at a time: two independent pairs, so that their long chains of dependent operations overlap
  for (; i + 4 <= n; i += 4) {
    const w0 = exp2(lp + (<usize>i << 2), mv, inv, K, HI, LO, ROUND, frac);
    const w1 = exp2(lp + (<usize>i << 2) + 8, mv, inv, K, HI, LO, ROUND, frac);
    v128.store(wp + (<usize>i << 3), w0);
    v128.store(wp + (<usize>i << 3), w1, 16);
    s += f64x2.extract_lane(w0, 0);
    s += f64x2.extract_lane(w0, 1);
    s += f64x2.extract_lane(w1, 0);
    s += f64x2.extract_lane(w1, 1);
  }
  for (; i < n; i++) {
    const x = (<f64>load<f32>(lp + (<usize>i << 2)) - mv) * inv;
    const w = x > -708.0 || x != x ? scalarExp(x, K, HI, LO, ROUND, frac) : 0.0;
    store<f64>(wp + (<usize>i << 3), w);
    s += w;
  }
  return s;
}

/** The largest of n f32 at lp, ignoring NaN (as `if (l > m) m = l` does); −Infinity when there is none. */
@inline function maxOf(lp: usize, n: i32): f32 {
  let mv = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) mv = f32x4.pmax(mv, v128.load(lp + (<usize>i << 2))); // a NaN lane loses: mv < NaN is false
  let m = f32x4.extract_lane(mv, 0);
  const v1 = f32x4.extract_lane(mv, 1), v2 = f32x4.extract_lane(mv, 2), v3 = f32x4.extract_lane(mv, 3);
  if (v1 > m) m = v1;
  if (v2 > m) m = v2;
  if (v3 > m) m = v3;
  for (; i < n; i++) {
    const l = load<f32>(lp + (<usize>i << 2));
    if (l > m) m = l;
  }
  return m;
}

/** The weights of the two logits at p (see softmaxWeights): fastExp's operations on two lanes. */
@inline function exp2(p: usize, mv: f64, inv: f64, K: f64, HI: f64, LO: f64, ROUND: f64, frac: usize): v128 {
  const vR = f64x2.splat(ROUND);
  const l = f64x2.replace_lane(f64x2.splat(<f64>load<f32>(p)), 1, <f64>load<f32>(p, 4));
  const x = f64x2.mul(f64x2.sub(l, f64x2.splat(mv)), f64x2.splat(inv));
  const t = f64x2.add(f64x2.mul(x, f64x2.splat(K)), vR);
  const kf = f64x2.sub(t, vR);
  const k = i64x2.sub(t, i64x2.splat(reinterpret<i64>(ROUND))); // the integer kf, from the bits of t
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(kf, f64x2.splat(HI))), f64x2.mul(kf, f64x2.splat(LO)));
  let q = f64x2.add(f64x2.splat(1.0 / 120.0), f64x2.mul(r, f64x2.splat(1.0 / 720.0)));
  q = f64x2.add(f64x2.splat(1.0 / 24.0), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(1.0 / 6.0), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(0.5), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(1.0), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(1.0), f64x2.mul(r, q));
  const j0 = <usize>(i64x2.extract_lane(k, 0) & 31), j1 = <usize>(i64x2.extract_lane(k, 1) & 31);
  const f = f64x2.replace_lane(f64x2.splat(load<f64>(frac + (j0 << 3))), 1, load<f64>(frac + (j1 << 3)));
  const pow2 = i64x2.shl(i64x2.add(i64x2.shr_s(k, 5), i64x2.splat(1023)), 52); // 2^(k >> 5), a normal number here
  const e = f64x2.mul(f64x2.mul(q, f), pow2);
  return v128.and(e, v128.or(f64x2.gt(x, f64x2.splat(-708.0)), f64x2.ne(x, x)));
}

function scalarExp(x: f64, K: f64, HI: f64, LO: f64, ROUND: f64, frac: usize): f64 {
  const t = x * K + ROUND;
  const kf = t - ROUND;
  const k = reinterpret<i64>(t) - reinterpret<i64>(ROUND);
  const r = x - kf * HI - kf * LO;
  const p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
  return p * load<f64>(frac + (<usize>(k & 31) << 3)) * reinterpret<f64>(((k >> 5) + 1023) << 52);
}
