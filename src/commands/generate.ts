/**
 * `binwave generate`: continue silence (or a seed waveform) with a trained model, sample by sample.
 * Generation runs on binwave's cached generator (typed arrays or WebAssembly SIMD), not on TensorFlow.js.
 */
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { loadAudio, writeWav } from '../audio';
import { Generator, generate } from '../generate/generator';
import { RELAXED_WASM_PATH } from '../generate/wasm-kernel';
import { Sampler } from '../sample/sampler';
import { loadModel } from '../train/checkpoint';
import { UserError } from '../util/errors';
import { assertWritable } from '../util/files';
import { Progress } from '../util/progress';
import { Rng } from '../util/rng';
import { GlobalArgs, handler } from './common';
import { SamplingArgs, describeSampler, samplerConfig, withSamplingOptions } from './sampling';

interface GenerateArgs extends GlobalArgs, SamplingArgs {
  out: string;
  seconds?: number;
  samples?: number;
  seedWav?: string;
  seedSeconds: number;
  count: number;
  float: boolean;
  force: boolean;
  quiet?: boolean;
}

/** out.wav → out-1.wav … out-N.wav when several streams are written. */
export function outputPaths(out: string, count: number): string[] {
  if (count === 1) return [out];
  const ext = path.extname(out) || '.wav';
  const stem = out.slice(0, out.length - path.extname(out).length);
  return Array.from({ length: count }, (_, i) => `${stem}-${i + 1}${ext}`);
}

export interface GenerateReport {
  files: string[];
  samples: number;
  seedSamples: number;
  seconds: number;
  samplesPerSec: number;
  realTimeFactor: number;
  kernel: string;
  threads: number;
  sampler: string;
}

export async function runGenerate(a: GenerateArgs): Promise<GenerateReport> {
  if ((a.seconds === undefined) === (a.samples === undefined)) throw new UserError('give exactly one of --seconds S or --samples N');
  if (!(Number.isInteger(a.count) && a.count >= 1)) throw new UserError(`--count: expected a whole number >= 1, got ${a.count}`);
  const sampler = samplerConfig(a);
  const files = outputPaths(a.out, a.count);
  for (const f of files) assertWritable(f, a.force);
  const { config, weights } = loadModel(a.model);
  const rate = config.sampleRate;
  const n = a.samples ?? Math.round((a.seconds as number) * rate);
  if (!(Number.isInteger(n) && n >= 1)) throw new UserError(`--samples/--seconds: need at least one sample, got ${n}`);
  const gen = await Generator.create(config, weights, a.count, { kernel: a.kernel });
  let seedCodes: Int32Array | undefined;
  if (a.seedWav) {
    const { audio } = loadAudio(a.seedWav, { sampleRate: rate });
    const take = Math.min(audio.samples.length, Math.round(a.seedSeconds * rate));
    if (take === 0) throw new UserError(`${a.seedWav}: no audio to seed with`);
    seedCodes = gen.quantizer.encodeArray(audio.samples.subarray(0, take)).codes;
  }
  const seedLen = seedCodes?.length ?? 0;
  const total = seedLen + n;
  const samplers = Array.from({ length: a.count }, (_, s) => new Sampler(gen.quantizer, sampler, new Rng(a.seed + 7919 * s)));
  const bar = new Progress({ total, label: 'generate', unit: 'samples', silent: a.quiet });
  const t0 = Date.now();
  const result = generate({
    generator: gen,
    samplers,
    n: total,
    seedCodes,
    progressEvery: 2000,
    onProgress: (done) => {
      const sec = (Date.now() - t0) / 1000;
      const rtf = sec > 0 ? (done * a.count) / rate / sec : 0;
      bar.update(done, `real-time x${rtf.toFixed(2)}${a.count > 1 ? ` (${a.count} streams)` : ''}`);
    },
  });
  const elapsed = Math.max(1e-6, (Date.now() - t0) / 1000);
  gen.close();
  bar.finish();
  result.values.forEach((v, i) => writeWav(files[i], v, rate, { force: a.force, float: a.float }));
  const perSec = (total * a.count) / elapsed;
  return {
    files, samples: total, seedSamples: seedLen, seconds: total / rate, samplesPerSec: perSec,
    realTimeFactor: perSec / rate, kernel: gen.wasmFile === RELAXED_WASM_PATH ? 'wasm (fused multiply-add)' : gen.kernel, threads: gen.threads, sampler: describeSampler(sampler),
  };
}

export const generateCommand: CommandModule<GlobalArgs, GenerateArgs> = {
  command: 'generate',
  describe: 'generate audio with a trained model (cached "fast WaveNet" generation)',
  builder: (y: Argv<GlobalArgs>) =>
    withSamplingOptions(y)
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'output .wav (with --count N: out-1.wav … out-N.wav)' })
      .option('seconds', { type: 'number', describe: 'seconds to generate (after the seed)' })
      .option('samples', { type: 'number', describe: 'samples to generate (after the seed)' })
      .option('seed-wav', { type: 'string', describe: 'continue this recording (its first --seed-seconds)' })
      .option('seed-seconds', { type: 'number', default: 0.5, describe: 'how much of --seed-wav to feed first' })
      .option('count', { type: 'number', default: 1, describe: 'independent outputs, generated together' })
      .option('float', { type: 'boolean', default: false, describe: 'write 32-bit float WAV instead of 16-bit PCM' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite existing outputs' })
      .example('$0 generate -m models/demo -o out.wav --seconds 2', 'sample at temperature 1')
      .example('$0 generate -m models/demo -o out.wav --seconds 2 --strategy interp --neighbours 2', 'neighbour-bin interpolation')
      .example('$0 generate -m models/demo -o take.wav --seconds 3 --count 4 --seed-wav data/speech16k_codec2_a.wav', 'four continuations of a recording') as never,
  handler: handler<GenerateArgs>(async (a) => {
    const r = await runGenerate(a);
    process.stdout.write(`wrote ${r.files.join(', ')}: ${r.seconds.toFixed(2)} s each` +
      (r.seedSamples ? ` (the first ${r.seedSamples} samples are the seed)` : '') +
      `; ${r.sampler}; ${Math.round(r.samplesPerSec)} samples/s (x${r.realTimeFactor.toFixed(2)} real time, ${r.kernel} kernel` +
      `${r.threads > 1 ? ` on ${r.threads} threads` : ''})\n`);
  }),
};
