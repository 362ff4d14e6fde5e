/**
 * `binwave report`: the combined page — quantization alone (eval bins), the model on held-out audio (eval
 * model) and optionally the toy — as one report.{html,md,json}. The README's demo ends with it.
 */
import type { CommandModule } from 'yargs';
import { evalBins } from '../eval/bins';
import { evalModel, modelEvalSummary } from '../eval/model';
import { DEFAULT_TARGET_LENGTH, DEFAULT_VAL_FRACTION } from '../data/folder';
import { binsSections, glanceSection, modelSections, toySections, writeEvalReport } from '../eval/report';
import { runToy } from '../eval/toy';
import { assertReportWritable } from '../report/html';
import { GlobalArgs, handler, parseNumberList } from './common';
import { binsSummary, parseCompandings } from './eval';

interface ReportArgs extends GlobalArgs {
  model: string;
  data: string;
  out: string;
  toy: boolean;
  bins: string;
  companding: string;
  'max-seconds': number;
  split: 'val' | 'all';
  'val-fraction': number;
  'target-length': number;
  clips?: string;
  json: boolean;
  force: boolean;
}

const log = (l: string) => process.stderr.write(l + '\n');

export const reportCommand: CommandModule<GlobalArgs, ReportArgs> = {
  command: 'report',
  describe: 'one HTML page (+ .md, .json): quantization alone, the model on held-out audio, and optionally the toy',
  builder: (y) =>
    y
      .option('model', { alias: 'm', type: 'string', demandOption: true, describe: 'model directory (from binwave train)' })
      .option('data', { type: 'string', default: 'data', describe: 'folder of .wav files' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'folder for report.html, report.md, report.json' })
      .option('toy', { type: 'boolean', default: false, describe: 'add the toy experiment (about 10 s more)' })
      .option('bins', { type: 'string', default: '16,64,256,1024,65536', describe: 'Q values of the quantization section' })
      .option('companding', { type: 'string', default: 'mulaw,linear', describe: 'mulaw, linear or both' })
      .option('max-seconds', { type: 'number', default: 10, describe: 'held-out audio scored by the model section' })
      .option('split', { choices: ['val', 'all'] as const, default: 'val' as const, describe: "val: the training split's validation files; all: every file" })
      .option('val-fraction', { type: 'number', default: DEFAULT_VAL_FRACTION, describe: 'the --val-fraction of training' })
      .option('target-length', { type: 'number', default: DEFAULT_TARGET_LENGTH, describe: 'the --target-length of training' })
      .option('clips', { type: 'string', describe: 'folder of generated WAVs (default MODEL_DIR/samples)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the JSON summary' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite an existing report' })
      .example('$0 report --model models/demo --data data --out reports/demo', 'the demo page') as never,
  handler: handler<ReportArgs>(async (a) => {
    assertReportWritable(a.out, 'report', a.force);
    const t0 = Date.now();
    const model = await evalModel({
      model: a.model, data: a.data, split: a.split, valFraction: a['val-fraction'], targetLength: a['target-length'],
      maxSeconds: a['max-seconds'], clips: a.clips, warn: log,
    });
    const bins = evalBins({ data: a.data, bins: parseNumberList('bins', a.bins), compandings: parseCompandings(a.companding), sampleRate: model.config.sampleRate, warn: log });
    const toy = a.toy ? await runToy({ seed: 42, backend: 'wasm' }) : null;
    const sections = [glanceSection(model, bins), ...modelSections(model), ...binsSections(bins), ...(toy ? toySections(toy) : [])];
    const json = {
      model: modelEvalSummary(model),
      bins: binsSummary(bins),
      toy: toy ? { rows: toy.rows, bimodal: toy.bimodal, qSweep: toy.qSweep, seconds: toy.seconds } : null,
      elapsedSeconds: (Date.now() - t0) / 1000,
    };
    const q = model.config.quantizer;
    const files = writeEvalReport(a.out, 'report', 'binwave: regression by classification',
      `A WaveNet over ${q.bins} ${q.companding === 'mulaw' ? 'μ-law' : 'linear'} bins (\`${a.model}\`, step ${model.step}), measured on \`${a.data}\``,
      sections, json);
    if (a.json) process.stdout.write(JSON.stringify(json, null, 2) + '\n');
    process.stderr.write(`wrote ${files.html} (and .json, .md) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }),
};
