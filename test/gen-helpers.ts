import * as tf from '@tensorflow/tfjs';
import { ModelConfig } from '../src/model/config';
import { WaveNet, initWeights } from '../src/model/wavenet';
import { Rng } from '../src/util/rng';

/** initWeights, with non-zero biases too (initWeights leaves them at zero, which would hide bias bugs). */
export function randomWeights(config: ModelConfig, seed: number): Map<string, Float32Array> {
  const w = initWeights(config, seed);
  const rng = new Rng(seed + 1);
  for (const [name, a] of w) if (name.endsWith('/bias')) for (let i = 0; i < a.length; i++) a[i] = (rng.next() * 2 - 1) * 0.2;
  return w;
}

/** A bounded random walk over bins: audio-like codes. */
export function randomCodes(n: number, Q: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const out = new Int32Array(n);
  let c = Q >> 1;
  for (let i = 0; i < n; i++) {
    c = Math.min(Q - 1, Math.max(0, c + Math.round(rng.normal() * Q * 0.05)));
    out[i] = c;
  }
  return out;
}

/** WaveNet.forward on a batch of equal-length code sequences → logits[b] as Float32Array [T', Q]. */
export function forwardLogits(model: WaveNet, seqs: Int32Array[]): Float32Array[] {
  const T = seqs[0].length;
  const flat = new Int32Array(seqs.length * T);
  seqs.forEach((s, b) => flat.set(s, b * T));
  const out = tf.tidy(() => model.forward(tf.tensor2d(flat, [seqs.length, T], 'int32')));
  const data = out.dataSync() as Float32Array;
  const [, Tp, Q] = out.shape;
  out.dispose();
  return seqs.map((_, b) => data.slice(b * Tp * Q, (b + 1) * Tp * Q));
}

export function concatCodes(a: Int32Array, b: Int32Array): Int32Array {
  const o = new Int32Array(a.length + b.length);
  o.set(a);
  o.set(b, a.length);
  return o;
}
