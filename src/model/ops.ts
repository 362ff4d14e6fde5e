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

/** x[B,T,C] @ w[C,N] + bias[N] → [B,T,N], as one 2-D matmul. */
export function dense(x: tf.Tensor3D, w: tf.Tensor, bias: tf.Tensor): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const y = matMulT(tf.reshape(x, [B * T, C]), w as tf.Tensor2D);
  return tf.reshape(tf.add(y, bias), [B, T, w.shape[1] as number]);
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

/** The last n steps of x[B,T,C]. */
export function lastSteps(x: tf.Tensor3D, n: number): tf.Tensor3D {
  const [B, T, C] = x.shape;
  return tf.slice(x, [0, T - n, 0], [B, n, C]);
}
