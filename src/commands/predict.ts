/** `binwave predict`: teacher-forced one-step-ahead prediction over a real clip, scored per strategy. */
import type { Argv, CommandModule } from 'yargs';
import { loadAudio, writeWav } from '../audio';
import { PredictResult, teacherForcedPredict, withStrategy } from '../eval/predict';
import { Generator } from '../generate/generator';
import { loadModel } from '../train/checkpoint';
import { assertWritable } from '../util/files';
import { GlobalArgs, handler } from './common';
import { SamplingArgs, samplerConfig, withSamplingOptions } from './sampling';

interface PredictArgs extends GlobalArgs, SamplingArgs {
  in: string;
  out?: string;
  json: boolean;
  force: boolean;
}

export async function runPredict(a: PredictArgs): Promise<{ chosen: string; result: PredictResult; seconds: number }> {
  const { strategies, chosenName } = withStrategy(samplerConfig(a));
  if (a.out) assertWritable(a.out, a.force);
  const { config, weights } = loadModel(a.model);
  const { audio } = loadAudio(a.in, { sampleRate: config.sampleRate });
  const gen = await Generator.create(config, weights, 1, { kernel: a.kernel });
  const codes = gen.quantizer.encodeArray(audio.samples).codes;
  const result = teacherForcedPredict(gen, codes, audio.samples, { strategies, seed: a.seed });
  if (a.out) {
    const p = result.predictions.find((x) => x.name === chosenName)!;
    writeWav(a.out, p.values, config.sampleRate, { force: a.force });
  }
  return { chosen: chosenName, result, seconds: audio.samples.length / config.sampleRate };
}

export const predictCommand: CommandModule<GlobalArgs, PredictArgs> = {
  command: 'predict',
  describe: 'one-step-ahead prediction over a real clip (teacher forcing): NLL, accuracy and SNR per strategy',
  builder: (y: Argv<GlobalArgs>) =>
    withSamplingOptions(y)
      .option('in', { alias: 'i', type: 'string', demandOption: true, describe: 'the clip (.wav); resampled to the model rate' })
      .option('out', { alias: 'o', type: 'string', describe: 'write the prediction of --strategy here' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite --out' }) as never,
  handler: handler<PredictArgs>(async (a) => {
    const { chosen, result: r, seconds } = await runPredict(a);
    if (a.json) {
      const { distributions: _d, predictions, ...rest } = r;
      process.stdout.write(JSON.stringify({ ...rest, seconds, snrDb: Object.fromEntries(predictions.map((p) => [p.name, p.snrDb])) }, null, 2) + '\n');
      return;
    }
    const lines = [
      `${a.in}: ${seconds.toFixed(2)} s, ${r.scored} samples scored (from sample ${r.firstScored}, after one receptive field)`,
      `NLL ${r.nllBits.toFixed(3)} bits/sample; as a density ${r.densityBits.toFixed(3)} bits/sample; top-1 ${(100 * r.top1).toFixed(1)}%, top-5 ${(100 * r.top5).toFixed(1)}%`,
      'one-step-ahead SNR against the clip:',
      ...r.predictions.map((p) => `  ${p.name.padEnd(18)} ${p.snrDb.toFixed(2).padStart(7)} dB${p.name === chosen && a.out ? `  -> ${a.out}` : ''}`),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }),
};
