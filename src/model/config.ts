/**
 * The WaveNet's configuration as plain data, the presets, and what follows from a config alone: receptive
 * field, parameter count and multiply-adds per sample. Nothing here touches TensorFlow.js.
 */
import { DEFAULT_QUANTIZER, QuantizerConfig } from '../quantize/quantizer';

export type InputEncoding = 'onehot' | 'scalar';

export interface ModelConfig {
  sampleRate: number;
  quantizer: QuantizerConfig;
  stacks: number;
  /** Layers per stack; dilations 1, 2, ..., 2^(layers-1) in each stack. */
  layersPerStack: number;
  /** Kernel size of the dilated convolutions (binwave uses 2, as WaveNet does). */
  kernelSize: 2;
  residualChannels: number;
  dilationChannels: number;
  skipChannels: number;
  /** Width of the 1x1 layer between the summed skips and the Q-way softmax. */
  headChannels: number;
  input: InputEncoding;
}

const base = { sampleRate: 16000, quantizer: { ...DEFAULT_QUANTIZER }, kernelSize: 2 as const, input: 'onehot' as const };

export const PRESETS: Record<string, ModelConfig> = {
  tiny: { ...base, stacks: 2, layersPerStack: 6, residualChannels: 16, dilationChannels: 16, skipChannels: 32, headChannels: 32 },
  reference: { ...base, stacks: 2, layersPerStack: 10, residualChannels: 32, dilationChannels: 32, skipChannels: 64, headChannels: 64 },
  large: { ...base, stacks: 3, layersPerStack: 10, residualChannels: 64, dilationChannels: 64, skipChannels: 128, headChannels: 128 },
};

export function presetConfig(name: string, overrides: Partial<ModelConfig> = {}): ModelConfig {
  const p = PRESETS[name];
  if (!p) throw new RangeError(`unknown preset "${name}" (have ${Object.keys(PRESETS).join(', ')})`);
  return { ...p, quantizer: { ...p.quantizer }, ...overrides };
}

/** Dilation of every layer, in order. */
export function dilations(c: ModelConfig): number[] {
  const d: number[] = [];
  for (let s = 0; s < c.stacks; s++) for (let l = 0; l < c.layersPerStack; l++) d.push(2 ** l);
  return d;
}

/**
 * Inputs that one output sees: the causal input convolution (kernel 2) plus (k-1)*d per dilated layer, plus
 * one for the present sample. An input window of length T yields T - receptiveField + 1 predictions.
 */
export function receptiveField(c: ModelConfig): number {
  return 2 + dilations(c).reduce((s, d) => s + (c.kernelSize - 1) * d, 0);
}

export function inputChannels(c: ModelConfig): number {
  return c.input === 'onehot' ? c.quantizer.bins : 1;
}

/** Every weight's name and shape, in a fixed order: the layout shared by the tfjs model and the generator. */
export function weightShapes(c: ModelConfig): [string, number[]][] {
  const { residualChannels: R, dilationChannels: D, skipChannels: S, headChannels: H } = c;
  const Q = c.quantizer.bins;
  const k = c.kernelSize;
  const shapes: [string, number[]][] = [
    ['input/kernel', [k * inputChannels(c), R]],
    ['input/bias', [R]],
  ];
  const n = dilations(c).length;
  for (let i = 0; i < n; i++) {
    // filter and gate share one matmul: columns [0, D) are the filter, [D, 2D) the gate
    shapes.push([`layer${i}/dilated/kernel`, [k * R, 2 * D]], [`layer${i}/dilated/bias`, [2 * D]]);
    shapes.push([`layer${i}/skip/kernel`, [D, S]], [`layer${i}/skip/bias`, [S]]);
    // the last layer's residual output feeds nothing, so it has none
    if (i < n - 1) shapes.push([`layer${i}/residual/kernel`, [D, R]], [`layer${i}/residual/bias`, [R]]);
  }
  shapes.push(['head/hidden/kernel', [S, H]], ['head/hidden/bias', [H]]);
  shapes.push(['head/logits/kernel', [H, Q]], ['head/logits/bias', [Q]]);
  return shapes;
}

/** Number of values in a tensor of this shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Throw unless `weights` holds every weight of the config with its shape's number of values. */
export function assertWeights(config: ModelConfig, weights: ReadonlyMap<string, Float32Array>): void {
  for (const [name, shape] of weightShapes(config)) {
    const w = weights.get(name);
    if (!w || w.length !== shapeSize(shape)) {
      throw new RangeError(`weight ${name}: expected ${shapeSize(shape)} values for shape [${shape}], got ${w ? w.length : 'none'}`);
    }
  }
}

export function parameterCount(c: ModelConfig): number {
  return weightShapes(c).reduce((s, [, shape]) => s + shapeSize(shape), 0);
}

export interface Cost {
  /** Multiply-adds per generated sample with cached ("fast WaveNet") generation. */
  macsPerSample: number;
  /** Of which the output head (skip → hidden → Q logits). */
  headMacsPerSample: number;
  headParameters: number;
}

/** Cached generation cost: L(k·R·2D + D·R + D·S) + S·H + H·Q, plus the input layer (a row lookup for one-hot). */
export function cost(c: ModelConfig): Cost {
  const { residualChannels: R, dilationChannels: D, skipChannels: S, headChannels: H } = c;
  const Q = c.quantizer.bins;
  const L = dilations(c).length;
  const inputMacs = c.input === 'onehot' ? c.kernelSize * R : c.kernelSize * R;
  const layers = L * (c.kernelSize * R * 2 * D + D * S) + (L - 1) * D * R;
  const head = S * H + H * Q;
  return { macsPerSample: inputMacs + layers + head, headMacsPerSample: head, headParameters: S * H + H + H * Q + Q };
}

/** Check a config for values that cannot build a model; messages name the field. */
export function validateConfig(c: ModelConfig): void {
  const positive = ['sampleRate', 'stacks', 'layersPerStack', 'residualChannels', 'dilationChannels', 'skipChannels', 'headChannels'] as const;
  for (const f of positive) {
    if (!Number.isInteger(c[f]) || c[f] < 1) throw new RangeError(`model config: ${f} must be a positive integer, got ${c[f]}`);
  }
  if (c.kernelSize !== 2) throw new RangeError(`model config: kernelSize must be 2, got ${c.kernelSize}`);
  if (c.input !== 'onehot' && c.input !== 'scalar') throw new RangeError(`model config: input must be onehot or scalar`);
}

/** A human summary for `model-info` and the start of training. */
export function describeModel(c: ModelConfig): string {
  const rf = receptiveField(c);
  const k = cost(c);
  const q = c.quantizer;
  return [
    `WaveNet ${c.stacks} stacks x ${c.layersPerStack} layers (dilations 1..${2 ** (c.layersPerStack - 1)}), ` +
      `residual ${c.residualChannels}, dilation ${c.dilationChannels}, skip ${c.skipChannels}, head ${c.headChannels}, ${c.input} input`,
    `quantizer: ${q.bins} bins, ${q.companding}${q.companding === 'mulaw' ? ` mu=${q.mu}` : ''}; sample rate ${c.sampleRate} Hz`,
    `receptive field ${rf} samples (${((1000 * rf) / c.sampleRate).toFixed(1)} ms); ${parameterCount(c).toLocaleString('en-US')} parameters; ` +
      `${k.macsPerSample.toLocaleString('en-US')} multiply-adds per generated sample (head ${k.headMacsPerSample.toLocaleString('en-US')})`,
  ].join('\n');
}
