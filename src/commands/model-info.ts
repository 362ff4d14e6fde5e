/** `binwave model-info`: what a preset or a trained model is, before spending time on it. */
import type { Argv, CommandModule } from 'yargs';
import { ModelConfig, PRESETS, cost, describeModel, parameterCount, presetConfig, receptiveField } from '../model/config';
import { loadModel } from '../train/checkpoint';
import { GlobalArgs, handler } from './common';

interface ModelInfoArgs extends GlobalArgs {
  preset: string;
  model?: string;
  json: boolean;
}

export function modelInfo(config: ModelConfig, step?: number): Record<string, unknown> {
  const c = cost(config);
  return {
    config,
    step,
    receptiveField: receptiveField(config),
    receptiveFieldMs: (1000 * receptiveField(config)) / config.sampleRate,
    parameters: parameterCount(config),
    macsPerSample: c.macsPerSample,
    headMacsPerSample: c.headMacsPerSample,
    headParameters: c.headParameters,
    realTimeGmacPerSec: (c.macsPerSample * config.sampleRate) / 1e9,
  };
}

export const modelInfoCommand: CommandModule<GlobalArgs, ModelInfoArgs> = {
  command: 'model-info',
  describe: 'receptive field, parameters and cost per sample of a preset or a trained model',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('preset', { choices: Object.keys(PRESETS), default: 'reference', describe: 'a preset' })
      .option('model', { alias: 'm', type: 'string', describe: 'a trained model directory (instead of a preset)' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as never,
  handler: handler<ModelInfoArgs>((a) => {
    const loaded = a.model ? loadModel(a.model) : undefined;
    const config = loaded ? loaded.config : presetConfig(a.preset);
    const info = modelInfo(config, loaded?.step);
    if (a.json) {
      process.stdout.write(JSON.stringify(info, null, 2) + '\n');
      return;
    }
    const head = loaded ? `model ${a.model} (step ${loaded.step})` : `preset ${a.preset}`;
    process.stdout.write(`${head}\n${describeModel(config)}\n` +
      `real time at ${config.sampleRate} Hz needs ${(info.realTimeGmacPerSec as number).toFixed(2)} G multiply-adds/s\n`);
  }),
};
