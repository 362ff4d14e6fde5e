/**
 * TensorFlow.js building blocks that train on every backend (see ../shared/notes/tfjs-facts.md):
 * - tfjs cannot differentiate a dilated conv, and wasm has no conv-filter gradient, so the kernel-2 dilated
 *   causal conv is concat(x[t-d], x[t]) @ W on "valid" (shrinking) lengths;
 * - wasm's matMul with transpose flags is ~10x slower than transposing first, and the built-in matMul gradient
 *   uses the flags, so `matMulT` has a custom gradient with explicit transposes.
 */
import * as tf from '@tensorflow/tfjs';

/** a[M,K] @ b[K,N] whose gradient transposes explicitly (dA = dY·bᵀ, dB = aᵀ·dY). */
export const matMulT = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor2D[];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * A float32 tensor's values as a view into the wasm heap (no copy), or null on other backends. Valid only until
 * the next allocation on the backend (a heap growth detaches it): read or write it at once.
 */
export function heapView(t: tf.Tensor): Float32Array | null {
  if (tf.getBackend() !== 'wasm' || t.dtype !== 'float32') return null;
  const b = tf.backend() as unknown as Partial<HeapBackend>;
  if (typeof b.typedArrayFromHeap !== 'function') return null;
  return b.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }) as Float32Array;
}

/**
 * Column sums of y[M,N] (the gradient of a broadcast bias), in plain JS: wasm's sum over axis 0 transposes first,
 * and ones[1,M] @ y makes xnnpack pack y as weights; both cost several times a read of y.
 */
export function columnSums(y: tf.Tensor2D): tf.Tensor1D {
  // Elsewhere (tfjs-node, CUDA) the backend's own reduction is right, and reading y back to the host is not.
  if (tf.getBackend() !== 'wasm' && tf.getBackend() !== 'cpu') return tf.sum(y, 0);
  const [M, N] = y.shape;
  const v = heapView(y) ?? (y.dataSync() as Float32Array);
  const acc = new Float64Array(N);
  // eight rows per pass over acc: ~4x faster than one (the loop is bound by acc's loads and stores)
  const [N2, N3, N4, N5, N6, N7] = [2 * N, 3 * N, 4 * N, 5 * N, 6 * N, 7 * N];
  let i = 0;
  for (; i + 8 <= M; i += 8) {
    const o = i * N;
    for (let j = 0; j < N; j++) {
      const p = o + j;
      acc[j] += v[p] + v[p + N] + (v[p + N2] + v[p + N3]) + (v[p + N4] + v[p + N5] + (v[p + N6] + v[p + N7]));
    }
  }
  for (; i < M; i++) for (let j = 0; j < N; j++) acc[j] += v[i * N + j];
  return tf.tensor1d(Float32Array.from(acc));
}

/**
 * x[M,K] @ w[K,N] + bias[N] with one gradient function: explicit transposes for dx and dw (as matMulT), and the
 * bias gradient as column sums of dy (columnSums).
 */
export const linearT = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as tf.Tensor2D[];
      const dy2 = dy as tf.Tensor2D;
      const db = columnSums(dy2);
      return [tf.matMul(dy2, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy2), db];
    },
  };
}) as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** x[B,T,C] @ w[C,N] + bias[N] → [B,T,N], as one 2-D matmul. */
export function dense(x: tf.Tensor3D, w: tf.Tensor, bias: tf.Tensor): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const y = linearT(tf.reshape(x, [B * T, C]), w as tf.Tensor2D, bias as tf.Tensor1D);
  return tf.reshape(y, [B, T, w.shape[1] as number]);
}

/**
 * Causal kernel-2 convolution with dilation d on valid lengths: out[t] = [x[t], x[t+d]] @ w + bias, for
 * t = 0 .. T-d-1. The output at t sees inputs t and t+d, i.e. the present (t+d) and d steps back.
 */
export function dilatedConv(x: tf.Tensor3D, w: tf.Tensor, bias: tf.Tensor, d: number): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const past = tf.slice(x, [0, 0, 0], [B, T - d, C]);
  const now = tf.slice(x, [0, d, 0], [B, T - d, C]);
  return dense(tf.concat([past, now], 2), w, bias);
}

/**
 * One gated residual unit's dilated conv and activation, with a hand-written gradient: for x[B,T,R] and dilation
 * d, x2 = [x[t], x[t+d]] and w [2R,2D] (filter columns [0,D), gate columns [D,2D)),
 * z = tanh(x2·w_f + b_f) · sigmoid(x2·w_g + b_g), [B,T-d,D]. Filter and gate are separate matmuls (no split of a
 * [M,2D] output), x2 is transposed once for both weight gradients, the input gradient comes as its past and
 * present halves (no split of a [M,2R] gradient), bias gradients are JS column sums, and tanh is 2·sigmoid(2x) − 1
 * (wasm's tanh is ~15x slower than its sigmoid).
 */
export function dilatedGatedUnit(x: tf.Tensor3D, w: tf.Tensor, bias: tf.Tensor, d: number): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const M = B * (T - d);
  const D = (w.shape[1] as number) / 2;
  const f = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xt, wt, bt, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const past = tf.slice(xt, [0, 0, 0], [B, T - d, C]);
    const now = tf.slice(xt, [0, d, 0], [B, T - d, C]);
    const x2 = tf.reshape(tf.concat([past, now], 2), [M, 2 * C]) as tf.Tensor2D;
    const fl = tf.add(tf.matMul(x2, tf.slice(wt, [0, 0], [2 * C, D])), tf.slice(bt, [0], [D]));
    const gt = tf.add(tf.matMul(x2, tf.slice(wt, [0, D], [2 * C, D])), tf.slice(bt, [D], [D]));
    const t = tf.sub(tf.mul(tf.sigmoid(tf.mul(fl, 2)), 2), 1);
    const s = tf.sigmoid(gt);
    save([x2, wt, t, s]);
    return {
      value: tf.reshape(tf.mul(t, s), [B, T - d, D]),
      gradFunc: (dz3: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, st, ss] = saved as tf.Tensor2D[];
        const dz = tf.reshape(dz3, [M, D]);
        const df = tf.mul(tf.mul(dz, ss), tf.sub(1, tf.square(st))) as tf.Tensor2D;
        const dg = tf.mul(tf.mul(dz, st), tf.mul(ss, tf.sub(1, ss))) as tf.Tensor2D;
        const xT = tf.transpose(sx);
        const dw = tf.concat([tf.matMul(xT, df), tf.matMul(xT, dg)], 1);
        const db = tf.concat([columnSums(df), columnSums(dg)]);
        const block = (r: number, c: number) => tf.transpose(tf.slice(sw, [r, c], [C, D])) as tf.Tensor2D;
        const half = (r: number) =>
          tf.reshape(tf.add(tf.matMul(df, block(r, 0)), tf.matMul(dg, block(r, D))), [B, T - d, C]);
        const dx = tf.add(tf.pad(half(0), [[0, 0], [0, d], [0, 0]]), tf.pad(half(C), [[0, 0], [d, 0], [0, 0]]));
        return [dx, dw, db];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor3D;
  return f(x, w, bias);
}

/**
 * The kernel-2 causal conv of one-hot codes with dilation 1, as a row lookup: out[b,t] = w[c[b,t]] + w[Q + c[b,t+1]]
 * + bias for codes c [B,T] (values in [0,Q)), i.e. dilatedConv(oneHot(c), w, bias, 1) without the [B,T,2Q] one-hot
 * tensor. The weight gradient is a scatter-add of dy's rows (wasm has no gather gradient), done in plain JS.
 */
export function oneHotConv(codes: tf.Tensor2D, w: tf.Tensor, bias: tf.Tensor, Q: number): tf.Tensor3D {
  const [B, T] = codes.shape;
  const R = w.shape[1] as number;
  const c = codes.dataSync();
  const n = B * (T - 1);
  // a code outside [0,Q) one-hot encodes to a zero row (as tf.oneHot does): it points at `zero`, a row of zeros
  const zero = 2 * Q;
  const ok = (v: number) => v >= 0 && v < Q;
  const past = new Int32Array(n);
  const now = new Int32Array(n);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T - 1; t++) {
      const p = c[b * T + t];
      const q = c[b * T + t + 1];
      past[b * (T - 1) + t] = ok(p) ? p : zero;
      now[b * (T - 1) + t] = ok(q) ? Q + q : zero;
    }
  }
  const f = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [wt, bt] = args as [tf.Tensor2D, tf.Tensor1D];
    // wasm's gather is slow (~60 ms here); the lookup in JS is a copy of n rows
    const wv = new Float32Array((2 * Q + 1) * R);
    wv.set(wt.dataSync());
    const bv = bt.dataSync();
    const out = new Float32Array(n * R);
    for (let i = 0; i < n; i++) {
      const p = past[i] * R;
      const q = now[i] * R;
      const o = i * R;
      for (let r = 0; r < R; r++) out[o + r] = wv[p + r] + wv[q + r] + bv[r];
    }
    const value = tf.tensor2d(out, [n, R]);
    return {
      value,
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync();
        const dw = new Float64Array((2 * Q + 1) * R);
        const db = new Float64Array(R);
        for (let i = 0; i < n; i++) {
          const p = past[i] * R;
          const q = now[i] * R;
          const o = i * R;
          for (let r = 0; r < R; r++) {
            const v = g[o + r];
            dw[p + r] += v;
            dw[q + r] += v;
            db[r] += v;
          }
        }
        return [tf.tensor2d(Float32Array.from(dw.subarray(0, 2 * Q * R)), [2 * Q, R]), tf.tensor1d(Float32Array.from(db))];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]) as unknown as (w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;
  return tf.reshape(f(w, bias), [B, T - 1, R]);
}

/**
 * Mean softmax cross-entropy (nats) of logits [N,Q] against integer labels, gradient (softmax - onehot) / N. The
 * softmax runs in the backend (one kernel); the label terms and the one-hot subtraction are O(N) in JS, so no
 * [N,Q] one-hot tensor and no log-softmax passes. A label probability that underflows float32 gets its log from
 * the row's logits (log-sum-exp in float64), so the loss stays finite where the log-softmax is.
 */
export function softmaxCrossEntropyInt(logits: tf.Tensor2D, labels: Int32Array | Uint8Array | Float32Array): tf.Scalar {
  const [N, Q] = logits.shape;
  const f = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const p = tf.softmax(x);
    // on wasm, p's own memory becomes the gradient (no copy out and back); elsewhere a copy does
    const view = heapView(p);
    const grad = view ?? (p.dataSync() as Float32Array);
    let xv: Float32Array | null = null;
    let loss = 0;
    for (let i = 0; i < N; i++) {
      const o = i * Q;
      const label = labels[i];
      if (label >= 0 && label < Q) {
        const pl = grad[o + label];
        if (pl > 1e-30 || Number.isNaN(pl)) loss -= Math.log(pl);
        else {
          xv ??= x.dataSync() as Float32Array;
          let max = -Infinity;
          for (let j = 0; j < Q; j++) max = Math.max(max, xv[o + j]);
          let sum = 0;
          for (let j = 0; j < Q; j++) sum += Math.exp(xv[o + j] - max);
          loss += Math.log(sum) + max - xv[o + label];
        }
        grad[o + label] -= 1;
      } else {
        // an all-zero one-hot row (as tf.oneHot makes it): no loss (NaN when the logits are), gradient softmax / N
        loss += 0 * grad[o];
      }
    }
    if (view) save([p]);
    return {
      value: tf.scalar(loss / N),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(view ? saved[0] : tf.tensor2d(grad, [N, Q]), tf.div(dy, N)),
    };
  }) as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Scalar;
  return f(logits);
}

/** The last n steps of x[B,T,C]. */
export function lastSteps(x: tf.Tensor3D, n: number): tf.Tensor3D {
  const [B, T, C] = x.shape;
  return tf.slice(x, [0, T - n, 0], [B, n, C]);
}
