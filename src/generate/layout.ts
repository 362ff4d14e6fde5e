/**
 * What the cached generator needs from a config, computed once: channel counts, dilations, and the steady
 * state of every layer under a constant input (the generator's initial state, see Generator.reset).
 */
import { ModelConfig, assertWeights, dilations, receptiveField, validateConfig } from '../model/config';
import { Quantizer } from '../quantize/quantizer';

export type WeightMap = Map<string, Float32Array>;

export interface NetShape {
  R: number;
  D: number;
  S: number;
  H: number;
  Q: number;
  L: number;
  dil: number[];
  rf: number;
  onehot: boolean;
  /** Companded value of each bin centre (scalar input). */
  scalarTable: Float32Array;
}

export function netShape(config: ModelConfig): NetShape {
  validateConfig(config);
  const q = new Quantizer(config.quantizer);
  const Q = q.bins;
  return {
    R: config.residualChannels,
    D: config.dilationChannels,
    S: config.skipChannels,
    H: config.headChannels,
    Q,
    L: dilations(config).length,
    dil: dilations(config),
    rf: receptiveField(config),
    onehot: config.input === 'onehot',
    scalarTable: Float32Array.from({ length: Q }, (_, b) => q.companded(b)),
  };
}

/** Check every weight is present with the right size; returns a getter that throws on a missing name. */
export function checkWeights(config: ModelConfig, weights: WeightMap): (name: string) => Float32Array {
  assertWeights(config, weights);
  return (name: string) => weights.get(name)!;
}

/** [K, N] row-major → [N, K] row-major. */
export function transpose(w: Float32Array, K: number, N: number): Float32Array {
  const t = new Float32Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) t[n * K + k] = w[k * N + n];
  return t;
}
