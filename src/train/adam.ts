/**
 * Adam with global-norm gradient clipping, written out so that its whole state (step, first and second moments)
 * is plain arrays that a checkpoint can save and restore exactly.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamConfig {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const DEFAULT_ADAM: AdamConfig = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export class Adam {
  step = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(private readonly vars: tf.Variable[], private readonly cfg: AdamConfig = DEFAULT_ADAM) {
    this.m = vars.map((x) => tf.variable(tf.zerosLike(x), false));
    this.v = vars.map((x) => tf.variable(tf.zerosLike(x), false));
  }

  /** Apply one update with learning rate lr; grads are in the order of the variables. */
  apply(grads: tf.Tensor[], lr: number): void {
    this.step++;
    const { beta1, beta2, epsilon } = this.cfg;
    const c1 = 1 - Math.pow(beta1, this.step);
    const c2 = 1 - Math.pow(beta2, this.step);
    const alpha = (lr * Math.sqrt(c2)) / c1;
    tf.tidy(() => {
      this.vars.forEach((x, i) => {
        const g = grads[i];
        const m = tf.add(tf.mul(this.m[i], beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(g), 1 - beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        x.assign(tf.sub(x, tf.div(tf.mul(m, alpha), tf.add(tf.sqrt(v), epsilon))));
      });
    });
  }

  /** Moments as arrays, m then v per variable, for checkpoints. */
  getState(): { step: number; moments: Float32Array[] } {
    return { step: this.step, moments: [...this.m, ...this.v].map((t) => t.dataSync() as Float32Array) };
  }

  setState(state: { step: number; moments: Float32Array[] }): void {
    const all = [...this.m, ...this.v];
    if (state.moments.length !== all.length) throw new RangeError(`optimizer state has ${state.moments.length} arrays, expected ${all.length}`);
    all.forEach((t, i) => t.assign(tf.tensor(state.moments[i], t.shape)));
    this.step = state.step;
  }

  dispose(): void {
    [...this.m, ...this.v].forEach((t) => t.dispose());
  }
}

/** Scale gradients so their global L2 norm is at most maxNorm; returns the new tensors and the norm before. */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: number } {
  const norm = Math.sqrt(tf.tidy(() => tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
  if (!(maxNorm > 0) || norm <= maxNorm || !Number.isFinite(norm)) return { grads: grads.map((g) => g.clone()), norm };
  const scale = maxNorm / norm;
  return { grads: grads.map((g) => tf.mul(g, scale)), norm };
}
