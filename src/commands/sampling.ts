/** The flags shared by `generate` and `predict` (model, kernel, sampler), and what they turn into. */
import type { Argv } from 'yargs';
import { SamplerConfig, STRATEGIES, Strategy } from '../sample/sampler';
export { describeSampler } from '../sample/sampler';
import { UserError } from '../util/errors';
import { KernelChoice } from '../generate/generator';

/** The flags are the sampler's config fields (yargs turns --top-k into topK). */
export type SamplingArgs = SamplerConfig & { model: string; seed: number; kernel: KernelChoice };

export function withSamplingOptions<T>(y: Argv<T>): Argv<T & SamplingArgs> {
  return y
    .option('model', { alias: 'm', type: 'string', demandOption: true, describe: 'trained model directory' })
    .option('seed', { type: 'number', default: 42, describe: 'random seed of the sampler' })
    .option('kernel', { choices: ['auto', 'wasm', 'ts'] as const, default: 'auto' as KernelChoice, describe: 'generation kernel: WebAssembly SIMD or plain TypeScript' })
    .option('strategy', { choices: STRATEGIES, default: 'sample' as Strategy, describe: 'how a distribution becomes a sample' })
    .option('temperature', { type: 'number', default: 1, describe: 'softmax temperature for sample (0 = argmax)' })
    .option('top-k', { type: 'number', default: 0, describe: 'sample only among the k most probable bins (0: off)' })
    .option('top-p', { type: 'number', default: 1, describe: 'sample only among the most probable bins holding mass p (1: off)' })
    .option('neighbours', { type: 'number', default: 1, describe: 'interp: bins on each side of the most probable one' })
    .option('dither', { type: 'boolean', default: false, describe: 'argmax/sample: a uniform value within the chosen bin' }) as unknown as Argv<T & SamplingArgs>;
}

export function samplerConfig(a: SamplingArgs): SamplerConfig {
  const c: SamplerConfig = {
    strategy: a.strategy, temperature: a.temperature, topK: a.topK, topP: a.topP, neighbours: a.neighbours, dither: a.dither,
  };
  if (!(c.temperature >= 0)) throw new UserError(`--temperature: expected >= 0, got ${c.temperature}`);
  if (!(Number.isInteger(c.topK) && c.topK >= 0)) throw new UserError(`--top-k: expected a whole number >= 0, got ${c.topK}`);
  if (!(c.topP > 0 && c.topP <= 1)) throw new UserError(`--top-p: expected 0 < p <= 1, got ${c.topP}`);
  if (!(Number.isInteger(c.neighbours) && c.neighbours >= 0)) throw new UserError(`--neighbours: expected a whole number >= 0, got ${c.neighbours}`);
  return c;
}
