// WebAssembly SIMD kernel of the cached WaveNet generator (see src/generate/wasm-kernel.ts for the memory
// layout the host writes). Build (both variants; the host takes the relaxed one where the runtime compiles it):
//   npx asc assembly/generator.ts -o build/generator.wasm --enable simd -O3 --runtime stub --noAssert
//   npx asc assembly/generator.ts -o build/generator-relaxed.wasm --enable simd --enable relaxed-simd -O3 --runtime stub --noAssert
//
// Every weight matrix [K, N] (K inputs, N outputs, both padded to a multiple of 8 with zeros) is packed in
// panels of 8 output columns: panel p holds rows k = 0..K-1 of columns 8p..8p+7 contiguously, so the inner
// loop streams 32 bytes per input and up to 4 streams share each weight load.

// plan words (i32)
const P_B = 0;
const P_L = 1;
const P_R = 2;
const P_D = 3;
const P_S = 4;
const P_H = 5;
const P_Q = 6;
const P_ONEHOT = 7;
const P_INW = 8;
const P_INB = 9;
const P_SCALAR = 10;
const P_CODES = 11;
const P_PREV = 12;
const P_HBUF = 13;
const P_XCAT = 14;
const P_FG = 15;
const P_Z = 16;
const P_SKIP = 17;
const P_HID = 18;
const P_LOGITS = 19;
const P_HIDW = 20;
const P_HIDB = 21;
const P_OUTW = 22;
const P_OUTB = 23;
const P_QREAL = 24;
const P_XT = 25; // scratch: x of each 4-stream block transposed to [K][4] (B·max K floats)
const P_LAYERS = 32;
const LW = 10; // words per layer: d, pos, ring, dilW, dilB, skipW, skipB, resW, resB, -

/** a·b + c: one fused multiply-add where relaxed SIMD is compiled in (build/generator-relaxed.wasm). */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

@inline function word(plan: usize, i: i32): i32 {
  return load<i32>(plan + (<usize>i << 2));
}

@inline function ptr(plan: usize, i: i32): usize {
  return <usize>load<i32>(plan + (<usize>i << 2));
}

/** Transpose the full 4-stream blocks of x [B, K] into xt: block g at xt + g·K·16 bytes as [K][4]. */
@inline function transposeBlocks(x: usize, B: i32, K: i32, xt: usize): void {
  const xs = <usize>K << 2;
  for (let b = 0; b + 4 <= B; b += 4) {
    const x0 = x + <usize>b * xs;
    const x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs;
    let o = xt + <usize>b * xs; // block b/4 starts at (b/4)·K·16 = b·K·4 bytes
    for (let k: usize = 0; k < xs; k += 16) {
      const r0 = v128.load(x0 + k), r1 = v128.load(x1 + k), r2 = v128.load(x2 + k), r3 = v128.load(x3 + k);
      const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5); // a0 b0 a1 b1
      const t1 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5); // c0 d0 c1 d1
      const t2 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7); // a2 b2 a3 b3
      const t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7); // c2 d2 c3 d3
      v128.store(o, v128.shuffle<i64>(t0, t1, 0, 2));
      v128.store(o, v128.shuffle<i64>(t0, t1, 1, 3), 16);
      v128.store(o, v128.shuffle<i64>(t2, t3, 0, 2), 32);
      v128.store(o, v128.shuffle<i64>(t2, t3, 1, 3), 48);
      o += 64;
    }
  }
}

/**
 * out[b, n] = (acc ? out[b, n] : 0) + (bias[n] + Σ_k x[b, k]·W[k, n]); x is [B, K], out [B, N]. Streams go
 * four at a time (their x transposed into xt first, so that one pointer with constant offsets reaches all four:
 * V8 then spends no instructions on addresses in the inner loop), the rest one at a time.
 */
export function dense(x: usize, B: i32, K: i32, w: usize, bias: usize, N: i32, out: usize, acc: i32, xt: usize): void {
  const xs = <usize>K << 2; // bytes per stream row of x
  const os = <usize>N << 2;
  transposeBlocks(x, B, K, xt);
  for (let p = 0; p < N; p += 8) {
    const wp = w + ((<usize>p * <usize>K) << 2);
    const b0 = v128.load(bias + (<usize>p << 2));
    const b1 = v128.load(bias + (<usize>p << 2), 16);
    let b = 0;
    for (; b + 4 <= B; b += 4) {
      let xk = xt + <usize>b * xs;
      const xend = xk + (xs << 2);
      let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
      let a10 = f32x4.splat(0), a11 = f32x4.splat(0);
      let a20 = f32x4.splat(0), a21 = f32x4.splat(0);
      let a30 = f32x4.splat(0), a31 = f32x4.splat(0);
      let wk = wp;
      for (; xk < xend; xk += 16) {
        const w0 = v128.load(wk);
        const w1 = v128.load(wk, 16);
        wk += 32;
        let s = v128.load32_splat(xk);
        a00 = madd(s, w0, a00);
        a01 = madd(s, w1, a01);
        s = v128.load32_splat(xk, 4);
        a10 = madd(s, w0, a10);
        a11 = madd(s, w1, a11);
        s = v128.load32_splat(xk, 8);
        a20 = madd(s, w0, a20);
        a21 = madd(s, w1, a21);
        s = v128.load32_splat(xk, 12);
        a30 = madd(s, w0, a30);
        a31 = madd(s, w1, a31);
      }
      const o0 = out + <usize>b * os + (<usize>p << 2);
      const o1 = o0 + os;
      const o2 = o1 + os;
      const o3 = o2 + os;
      storeOut(o0, f32x4.add(a00, b0), f32x4.add(a01, b1), acc);
      storeOut(o1, f32x4.add(a10, b0), f32x4.add(a11, b1), acc);
      storeOut(o2, f32x4.add(a20, b0), f32x4.add(a21, b1), acc);
      storeOut(o3, f32x4.add(a30, b0), f32x4.add(a31, b1), acc);
    }
    for (; b < B; b++) {
      // one stream: two independent accumulator pairs (even / odd k) to hide the add latency
      const x0 = x + <usize>b * xs;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
      let wk = wp;
      let k: usize = 0;
      for (; k + 8 <= xs; k += 8) {
        const s = v128.load32_splat(x0 + k);
        const t = v128.load32_splat(x0 + k, 4);
        a0 = madd(s, v128.load(wk), a0);
        a1 = madd(s, v128.load(wk, 16), a1);
        c0 = madd(t, v128.load(wk, 32), c0);
        c1 = madd(t, v128.load(wk, 48), c1);
        wk += 64;
      }
      for (; k < xs; k += 4) {
        const s = v128.load32_splat(x0 + k);
        a0 = madd(s, v128.load(wk), a0);
        a1 = madd(s, v128.load(wk, 16), a1);
        wk += 32;
      }
      const o0 = out + <usize>b * os + (<usize>p << 2);
      storeOut(o0, f32x4.add(f32x4.add(a0, c0), b0), f32x4.add(f32x4.add(a1, c1), b1), acc);
    }
  }
}

@inline function storeOut(o: usize, v0: v128, v1: v128, acc: i32): void {
  if (acc) {
    v0 = f32x4.add(v128.load(o), v0);
    v1 = f32x4.add(v128.load(o, 16), v1);
  }
  v128.store(o, v0);
  v128.store(o, v1, 16);
}

// Rounding x·log2(e) by adding this: the sum's low mantissa bits are then n + 127 for the nearest integer n,
// which is 2^n's exponent field (saves wasm's nearest and trunc_sat, which V8 expands to several instructions).
const EXP_MAGIC: f32 = 12582912.0 + 127.0; // 1.5·2^23 + 127

/**
 * e^x for 4 lanes, |x| ≤ 87 (Cephes expf: range reduction by ln 2, degree-6 polynomial; relative error ~2e-7).
 * The caller bounds x: the gate clamps its inputs.
 */
@inline function exp4(x: v128): v128 {
  const t = madd(x, f32x4.splat(1.44269504088896341), f32x4.splat(EXP_MAGIC));
  const fx = f32x4.sub(t, f32x4.splat(EXP_MAGIC)); // n, exactly
  x = madd(fx, f32x4.splat(-0.693359375), x); // x − n·ln2 in two parts (Cody-Waite)
  x = madd(fx, f32x4.splat(2.12194440e-4), x);
  let y = madd(f32x4.splat(1.9875691500e-4), x, f32x4.splat(1.3981999507e-3));
  y = madd(y, x, f32x4.splat(8.3334519073e-3));
  y = madd(y, x, f32x4.splat(4.1665795894e-2));
  y = madd(y, x, f32x4.splat(1.6666665459e-1));
  y = madd(y, x, f32x4.splat(5.0000001201e-1));
  y = f32x4.add(madd(f32x4.mul(y, x), x, x), f32x4.splat(1.0));
  return f32x4.mul(y, i32x4.shl(t, 23));
}

/** Clamp to [lo, hi] with pmin/pmax (one instruction each in V8; wasm's min/max add NaN and ±0 handling). */
@inline function clamp4(x: v128, lo: f32, hi: f32): v128 {
  return f32x4.pmin(f32x4.pmax(x, f32x4.splat(lo)), f32x4.splat(hi));
}

/** z[b, j] = tanh(fg[b, j]) · sigmoid(fg[b, D + j]) = (e^2f − 1) / ((e^2f + 1)(1 + e^−g)). */
export function gate(fg: usize, z: usize, B: i32, D: i32): void {
  const one = f32x4.splat(1.0);
  const ds = <usize>D << 2;
  for (let b = 0; b < B; b++) {
    const f0 = fg + ((<usize>b * <usize>(2 * D)) << 2);
    const z0 = z + ((<usize>b * <usize>D) << 2);
    for (let j: usize = 0; j < ds; j += 16) {
      const f = clamp4(v128.load(f0 + j), -9.0, 9.0);
      const g = clamp4(v128.load(f0 + ds + j), -30.0, 30.0);
      const e2f = exp4(f32x4.add(f, f));
      const eng = exp4(f32x4.neg(g));
      const num = f32x4.sub(e2f, one);
      const den = f32x4.mul(f32x4.add(e2f, one), f32x4.add(eng, one));
      v128.store(z0 + j, f32x4.div(num, den));
    }
  }
}

/** Copy n bytes (a multiple of 32) inline: rows here are short, and memory.copy is a call. */
@inline function copyRow(dst: usize, src: usize, n: usize): void {
  for (let i: usize = 0; i < n; i += 32) {
    v128.store(dst + i, v128.load(src + i));
    v128.store(dst + i, v128.load(src + i, 16), 16);
  }
}

function relu(p: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const end = p + (<usize>n << 2);
  for (let q = p; q < end; q += 16) v128.store(q, f32x4.pmax(v128.load(q), zero));
}

/** One generation step for every stream: codes in, logits out (both at the plan's buffers). */
export function step(plan: usize): void {
  const B = word(plan, P_B), L = word(plan, P_L), R = word(plan, P_R), D = word(plan, P_D);
  const S = word(plan, P_S), H = word(plan, P_H), Q = word(plan, P_Q);
  const inW = ptr(plan, P_INW), inB = ptr(plan, P_INB);
  const codes = ptr(plan, P_CODES), prev = ptr(plan, P_PREV);
  const h = ptr(plan, P_HBUF), xcat = ptr(plan, P_XCAT), fg = ptr(plan, P_FG), z = ptr(plan, P_Z);
  const skip = ptr(plan, P_SKIP), hid = ptr(plan, P_HID), logits = ptr(plan, P_LOGITS), xt = ptr(plan, P_XT);
  const rb = <usize>R << 2; // bytes per residual row
  // input layer
  if (word(plan, P_ONEHOT)) {
    const qreal = word(plan, P_QREAL);
    for (let b = 0; b < B; b++) {
      const c = load<i32>(codes + (<usize>b << 2));
      const p = load<i32>(prev + (<usize>b << 2));
      store<i32>(prev + (<usize>b << 2), c);
      const wp = inW + <usize>p * rb;
      const wc = inW + <usize>(qreal + c) * rb;
      const ho = h + <usize>b * rb;
      for (let r: usize = 0; r < rb; r += 16) {
        v128.store(ho + r, f32x4.add(f32x4.add(v128.load(wp + r), v128.load(wc + r)), v128.load(inB + r)));
      }
    }
  } else {
    const table = ptr(plan, P_SCALAR);
    for (let b = 0; b < B; b++) {
      const c = load<i32>(codes + (<usize>b << 2));
      const p = load<i32>(prev + (<usize>b << 2));
      store<i32>(prev + (<usize>b << 2), c);
      const vp = f32x4.splat(load<f32>(table + (<usize>p << 2)));
      const vc = f32x4.splat(load<f32>(table + (<usize>c << 2)));
      const ho = h + <usize>b * rb;
      for (let r: usize = 0; r < rb; r += 16) {
        const s = f32x4.add(f32x4.mul(vp, v128.load(inW + r)), f32x4.mul(vc, v128.load(inW + rb + r)));
        v128.store(ho + r, f32x4.add(s, v128.load(inB + r)));
      }
    }
  }
  for (let i = 0; i < L; i++) {
    const lw = P_LAYERS + i * LW;
    const d = word(plan, lw);
    const pos = word(plan, lw + 1);
    store<i32>(plan + (<usize>(lw + 1) << 2), pos + 1 == d ? 0 : pos + 1);
    const slot = ptr(plan, lw + 2) + <usize>pos * <usize>B * rb;
    for (let b = 0; b < B; b++) {
      const xo = xcat + <usize>(2 * b) * rb;
      copyRow(xo, slot + <usize>b * rb, rb);
      copyRow(xo + rb, h + <usize>b * rb, rb);
    }
    memory.copy(slot, h, <usize>B * rb);
    dense(xcat, B, 2 * R, ptr(plan, lw + 3), ptr(plan, lw + 4), 2 * D, fg, 0, xt);
    gate(fg, z, B, D);
    dense(z, B, D, ptr(plan, lw + 5), ptr(plan, lw + 6), S, skip, i > 0 ? 1 : 0, xt);
    if (i < L - 1) dense(z, B, D, ptr(plan, lw + 7), ptr(plan, lw + 8), R, h, 1, xt);
  }
  relu(skip, B * S);
  dense(skip, B, S, ptr(plan, P_HIDW), ptr(plan, P_HIDB), H, hid, 0, xt);
  relu(hid, B * H);
  dense(hid, B, H, ptr(plan, P_OUTW), ptr(plan, P_OUTB), Q, logits, 0, xt);
}
