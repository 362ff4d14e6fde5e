/**
 * Teacher-forced one-step-ahead prediction over a real clip: feed the clip's own codes through the cached
 * generator and, at every step, score the distribution predicting the next sample. This is what `binwave predict`
 * prints and what `binwave eval model` tabulates: NLL in bits (per bin and as a density), top-k accuracy, and
 * the SNR of each decoding strategy's prediction against the clip.
 */
import { Generator } from '../generate/generator';
import { DEFAULT_SAMPLER, Sampler, SamplerConfig, describeSampler, logSoftmax } from '../sample/sampler';
import { Rng } from '../util/rng';
import { snrDb } from './metrics';

export interface NamedStrategy {
  name: string;
  sampler: Partial<SamplerConfig>;
}

/** The strategies `predict` and `eval model` compare by default (interp-k: k neighbours each side). */
export const DEFAULT_PREDICT_STRATEGIES: NamedStrategy[] = [
  { name: 'argmax', sampler: { strategy: 'argmax' } },
  { name: 'mean', sampler: { strategy: 'mean' } },
  { name: 'interp-1', sampler: { strategy: 'interp', neighbours: 1 } },
  { name: 'interp-2', sampler: { strategy: 'interp', neighbours: 2 } },
  { name: 'sample', sampler: { strategy: 'sample', temperature: 1 } },
];

/** The default strategies plus `chosen`, named after the default it equals, or by describeSampler. */
export function withStrategy(chosen: SamplerConfig): { strategies: NamedStrategy[]; chosenName: string } {
  const key = describeSampler(chosen);
  const same = DEFAULT_PREDICT_STRATEGIES.find((s) => describeSampler({ ...DEFAULT_SAMPLER, ...s.sampler }) === key);
  if (same) return { strategies: DEFAULT_PREDICT_STRATEGIES, chosenName: same.name };
  return { strategies: [...DEFAULT_PREDICT_STRATEGIES, { name: key, sampler: chosen }], chosenName: key };
}

export interface PredictResult {
  /** Samples scored (those with a full receptive field of real context, when the clip is long enough). */
  scored: number;
  firstScored: number;
  /** Mean -log2 P(true bin). */
  nllBits: number;
  /** Mean -log2 of the density at the true sample: NLL + log2 (bin width in amplitude). Q-independent. */
  densityBits: number;
  top1: number;
  top5: number;
  /** Per strategy: the predicted waveform (full clip length) and its SNR against the clip over the scored part. */
  predictions: { name: string; values: Float32Array; snrDb: number }[];
  /** Probabilities of every `distributionEvery`-th step from the first scored one (for heat maps). */
  distributions: { t: number; probs: Float32Array }[];
}

export interface PredictOptions {
  strategies?: NamedStrategy[];
  seed?: number;
  distributionEvery?: number;
  maxDistributions?: number;
}

/** Rank of the true bin among the logits (0 = the most probable). */
function rankOf(logits: Float32Array, bin: number): number {
  const v = logits[bin];
  let r = 0;
  for (let i = 0; i < logits.length; i++) if (logits[i] > v) r++;
  return r;
}

export function teacherForcedPredict(gen: Generator, codes: Int32Array, clip: Float32Array, o: PredictOptions = {}): PredictResult {
  const strategies = o.strategies ?? DEFAULT_PREDICT_STRATEGIES;
  const q = gen.quantizer;
  const Q = gen.bins;
  const n = codes.length;
  const samplers = strategies.map((s, i) => new Sampler(q, s.sampler, new Rng((o.seed ?? 0) + i)));
  const predictions = strategies.map(() => new Float32Array(n));
  const logits = new Float32Array(gen.streams * Q);
  const row = logits.subarray(0, Q);
  const logp = new Float64Array(Q);
  const input = new Int32Array(gen.streams);
  const firstScored = n > 2 * gen.receptiveField ? gen.receptiveField : 0;
  const every = o.distributionEvery ?? 1;
  const maxDist = o.maxDistributions ?? 0;
  const distributions: PredictResult['distributions'] = [];
  let nll = 0;
  let density = 0;
  let top1 = 0;
  let top5 = 0;
  gen.reset();
  input.fill(gen.initialCode);
  gen.step(input, logits); // now the logits predict codes[0]
  for (let t = 0; t < n; t++) {
    strategies.forEach((_, i) => {
      predictions[i][t] = samplers[i].pick(row).value;
    });
    if (t >= firstScored) {
      const b = codes[t];
      logSoftmax(row, logp);
      nll -= logp[b] / Math.LN2;
      density += -logp[b] / Math.LN2 + Math.log2(q.binWidth(b));
      const r = rankOf(row, b);
      if (r === 0) top1++;
      if (r < 5) top5++;
      if (distributions.length < maxDist && (t - firstScored) % every === 0) {
        const p = new Float32Array(Q);
        for (let i = 0; i < Q; i++) p[i] = Math.exp(logp[i]);
        distributions.push({ t, probs: p });
      }
    }
    input[0] = codes[t];
    if (t + 1 < n) gen.step(input, logits);
  }
  const scored = n - firstScored;
  const ref = clip.subarray(firstScored);
  return {
    scored,
    firstScored,
    nllBits: nll / scored,
    densityBits: density / scored,
    top1: top1 / scored,
    top5: top5 / scored,
    predictions: strategies.map((s, i) => ({ name: s.name, values: predictions[i], snrDb: snrDb(ref, predictions[i].subarray(firstScored)) })),
    distributions,
  };
}
