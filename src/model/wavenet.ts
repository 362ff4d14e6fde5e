/**
 * The WaveNet, whole, in one file: causal input conv → L gated residual layers (dilated conv, tanh·sigmoid,
 * 1x1 residual and skip) → relu → 1x1 → relu → 1x1 → logits over Q bins. The output distribution (softmax
 * over bins) lives in the quantizer and sampler, not here: this module maps bin codes to logits.
 */
import * as tf from '@tensorflow/tfjs';
import { Quantizer } from '../quantize/quantizer';
import { Rng } from '../util/rng';
import { ModelConfig, assertWeights, dilations, receptiveField, shapeSize, validateConfig, weightShapes } from './config';
import { dense, dilatedConv, dilatedGatedUnit, lastSteps, oneHotConv, softmaxCrossEntropyInt } from './ops';

export type WeightArrays = Map<string, Float32Array>;

/** Glorot-uniform kernels and zero biases, drawn from a seeded Rng so every backend starts from the same weights. */
export function initWeights(config: ModelConfig, seed: number): WeightArrays {
  const rng = new Rng(seed);
  const out: WeightArrays = new Map();
  for (const [name, shape] of weightShapes(config)) {
    const size = shapeSize(shape);
    const w = new Float32Array(size);
    if (name.endsWith('/kernel')) {
      const [fanIn, fanOut] = shape;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) w[i] = (rng.next() * 2 - 1) * limit;
    }
    out.set(name, w);
  }
  return out;
}

export class WaveNet {
  readonly config: ModelConfig;
  readonly quantizer: Quantizer;
  readonly receptiveField: number;
  /** Trainable variables by name, in weightShapes order. */
  readonly variables: Map<string, tf.Variable>;
  private readonly dilations: number[];
  /** Companded value of each bin centre, for the scalar input encoding. */
  private readonly scalarTable: tf.Tensor1D | null;

  constructor(config: ModelConfig, weights: WeightArrays) {
    validateConfig(config);
    this.config = config;
    this.quantizer = new Quantizer(config.quantizer);
    this.receptiveField = receptiveField(config);
    this.dilations = dilations(config);
    this.variables = new Map();
    assertWeights(config, weights);
    for (const [name, shape] of weightShapes(config)) {
      this.variables.set(name, tf.variable(tf.tensor(weights.get(name)!, shape), true, `${name}_${nextId++}`));
    }
    const Q = this.quantizer.bins;
    this.scalarTable = config.input === 'scalar'
      ? tf.tensor1d(Float32Array.from({ length: Q }, (_, b) => this.quantizer.companded(b)))
      : null;
  }

  static create(config: ModelConfig, seed: number): WaveNet {
    return new WaveNet(config, initWeights(config, seed));
  }

  private v(name: string): tf.Variable {
    const v = this.variables.get(name);
    if (!v) throw new Error(`no weight ${name}`);
    return v;
  }

  /** Bin codes [B,T] → the scalar input [B,T,1]: each code's companded bin centre. */
  private scalarInput(table: tf.Tensor1D, codes: tf.Tensor2D): tf.Tensor3D {
    return tf.expandDims(tf.gather(table, codes), 2) as tf.Tensor3D;
  }

  /**
   * Codes [B,T] (int32) → logits [B, T - RF + 1, Q]; logits[:, j] predict the code at input position j + RF.
   * Pure function of the variables: call it inside tf.tidy or a gradient function.
   */
  forward(codes: tf.Tensor2D): tf.Tensor3D {
    const T = codes.shape[1];
    const outLen = T - this.receptiveField + 1;
    if (outLen < 1) throw new RangeError(`input of ${T} samples is shorter than the receptive field ${this.receptiveField}`);
    // One-hot input runs the input conv as a row lookup: dilatedConv of the one-hot tensor without building it.
    let h = this.scalarTable
      ? dilatedConv(this.scalarInput(this.scalarTable, codes), this.v('input/kernel'), this.v('input/bias'), 1)
      : oneHotConv(codes, this.v('input/kernel'), this.v('input/bias'), this.quantizer.bins);
    let skips: tf.Tensor3D | null = null;
    this.dilations.forEach((d, i) => {
      const z = dilatedGatedUnit(h, this.v(`layer${i}/dilated/kernel`), this.v(`layer${i}/dilated/bias`), d);
      const s = dense(lastSteps(z, outLen), this.v(`layer${i}/skip/kernel`), this.v(`layer${i}/skip/bias`));
      skips = skips ? (tf.add(skips, s) as tf.Tensor3D) : s;
      if (i < this.dilations.length - 1) {
        const r = dense(z, this.v(`layer${i}/residual/kernel`), this.v(`layer${i}/residual/bias`));
        h = tf.add(lastSteps(h, h.shape[1] - d), r) as tf.Tensor3D;
      }
    });
    const hidden = tf.relu(dense(tf.relu(skips!), this.v('head/hidden/kernel'), this.v('head/hidden/bias'))) as tf.Tensor3D;
    return dense(hidden, this.v('head/logits/kernel'), this.v('head/logits/bias'));
  }

  /**
   * Mean softmax cross-entropy (nats) of windows [B, RF + n]: inputs are all but the last code, targets the
   * last n codes.
   */
  loss(windows: tf.Tensor2D): tf.Scalar {
    const [B, W] = windows.shape;
    const inputs = tf.slice(windows, [0, 0], [B, W - 1]);
    const n = W - this.receptiveField;
    const targets = tf.slice(windows, [0, this.receptiveField], [B, n]);
    const logits = tf.reshape(this.forward(inputs), [B * n, this.quantizer.bins]);
    return softmaxCrossEntropyInt(logits as tf.Tensor2D, targets.dataSync() as Int32Array);
  }

  /** Current weights as plain arrays (a copy), by name. */
  weightArrays(): WeightArrays {
    const out: WeightArrays = new Map();
    for (const [name, v] of this.variables) out.set(name, v.dataSync() as Float32Array);
    return out;
  }

  setWeights(weights: WeightArrays): void {
    for (const [name, v] of this.variables) {
      const w = weights.get(name);
      if (!w) throw new RangeError(`missing weight ${name}`);
      v.assign(tf.tensor(w, v.shape));
    }
  }

  getConfig(): ModelConfig {
    return JSON.parse(JSON.stringify(this.config)) as ModelConfig;
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.scalarTable?.dispose();
  }
}

let nextId = 0;

