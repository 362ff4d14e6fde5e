/**
 * `binwave eval bins|model|sweep`: measure what discretizing the target costs and buys. Each prints its tables
 * (markdown; --json for JSON) and writes a report trio eval-<what>.{json,md,html} into --out.
 */
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { BACKEND_CHOICES, BackendChoice } from '../backend';
import { DEFAULT_EVAL_BINS, evalBins, BinsResult } from '../eval/bins';
import { evalModel, modelEvalSummary } from '../eval/model';
import { DEFAULT_TARGET_LENGTH, DEFAULT_VAL_FRACTION } from '../data/folder';
import { binsSections, binsTable, modelSections, modelTables, sweepSections, sweepTables, tableMarkdown, writeEvalReport } from '../eval/report';
import { runSweep, SweepResult } from '../eval/sweep';
import { PRESETS } from '../model/config';
import { Companding } from '../quantize/quantizer';
import { UserError } from '../util/errors';
import { assertReportWritable } from '../report/html';
import { GlobalArgs, handler, parseNumberList } from './common';

interface CommonEvalArgs extends GlobalArgs {
  data: string;
  out: string;
  json: boolean;
  force: boolean;
}

interface BinsArgs extends CommonEvalArgs {
  bins: string;
  companding: string;
  mu: number;
  rate: number;
}

interface ModelArgs extends CommonEvalArgs {
  model: string;
  'max-seconds': number;
  split: 'val' | 'all';
  'val-fraction': number;
  'target-length': number;
  clips?: string;
  'bench-seconds': number;
}

interface SweepArgs extends CommonEvalArgs {
  bins: string;
  steps?: number;
  minutes?: number;
  preset: string;
  seed: number;
  companding?: Companding;
  'target-length': number;
  lr: number;
  'max-seconds': number;
  backend: BackendChoice;
}

const log = (l: string) => process.stderr.write(l + '\n');

export function parseCompandings(v: string): Companding[] {
  const list = String(v).split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new UserError('--companding: give mulaw, linear or both');
  for (const c of list) if (c !== 'mulaw' && c !== 'linear') throw new UserError(`--companding: expected mulaw or linear, got "${c}"`);
  return list as Companding[];
}

function done(files: { html: string }): void {
  process.stderr.write(`wrote ${files.html} (and .json, .md beside it)\n`);
}

export function binsSummary(r: BinsResult) {
  const { clip, ...rest } = r;
  return { ...rest, clip: { file: clip.file, seconds: clip.samples.length / r.sampleRate } };
}

export function sweepSummary(s: SweepResult) {
  return { ...s, rows: s.rows.map((r) => ({ ...r, eval: modelEvalSummary(r.eval) })) };
}

const withCommon = <T>(y: Argv<T>) =>
  y
    .option('data', { type: 'string', default: 'data', describe: 'folder of .wav files (or one file)' })
    .option('out', { alias: 'o', type: 'string', default: 'reports', describe: 'folder for the report (json, md, html)' })
    .option('json', { type: 'boolean', default: false, describe: 'print JSON instead of markdown tables' })
    .option('force', { type: 'boolean', default: false, describe: 'overwrite an existing report' });

const binsCommand: CommandModule<GlobalArgs, BinsArgs> = {
  command: 'bins',
  describe: 'quantization alone: SNR, segmental SNR, max error and histogram entropy per Q and companding',
  builder: (y) =>
    withCommon(y)
      .option('bins', { type: 'string', default: DEFAULT_EVAL_BINS.join(','), describe: 'Q values, comma-separated' })
      .option('companding', { type: 'string', default: 'mulaw,linear', describe: 'mulaw, linear or both' })
      .option('mu', { type: 'number', default: 255, describe: 'μ of the μ-law companding' })
      .option('rate', { type: 'number', default: 16000, describe: 'resample to this rate (Hz)' })
      .example('$0 eval bins --data data', 'the default sweep of Q on the bundled corpus') as never,
  handler: handler<BinsArgs>((a) => {
    assertReportWritable(a.out, 'eval-bins', a.force);
    const bins = parseNumberList('bins', a.bins);
    const r = evalBins({ data: a.data, bins, compandings: parseCompandings(a.companding), mu: a.mu, sampleRate: a.rate, warn: log });
    const files = writeEvalReport(a.out, 'eval-bins', 'binwave eval bins', `What Q bins cost before any model · \`${a.data}\``, binsSections(r), binsSummary(r));
    if (a.json) process.stdout.write(JSON.stringify(binsSummary(r), null, 2) + '\n');
    else process.stdout.write(tableMarkdown(binsTable(r)));
    done(files);
  }),
};

const modelCommand: CommandModule<GlobalArgs, ModelArgs> = {
  command: 'model',
  describe: 'a trained model on held-out audio: NLL vs baselines, density NLL, top-k, one-step SNR, head cost, speed',
  builder: (y) =>
    withCommon(y)
      .option('model', { alias: 'm', type: 'string', demandOption: true, describe: 'model directory (from binwave train)' })
      .option('max-seconds', { type: 'number', default: 10, describe: 'score at most this much held-out audio' })
      .option('split', { choices: ['val', 'all'] as const, default: 'val' as const, describe: "val: the training split's validation files; all: every file (another folder)" })
      .option('val-fraction', { type: 'number', default: DEFAULT_VAL_FRACTION, describe: 'the --val-fraction of training' })
      .option('target-length', { type: 'number', default: DEFAULT_TARGET_LENGTH, describe: 'the --target-length of training (decides which files were usable)' })
      .option('clips', { type: 'string', describe: 'folder of generated WAVs to embed (default MODEL_DIR/samples)' })
      .option('bench-seconds', { type: 'number', default: 0.3, describe: 'seconds per timed generation run (0: skip)' })
      .example('$0 eval model --model models/demo --data data', 'held-out validation files of data/') as never,
  handler: handler<ModelArgs>(async (a) => {
    assertReportWritable(a.out, 'eval-model', a.force);
    const r = await evalModel({
      model: a.model, data: a.data, split: a.split, valFraction: a['val-fraction'], targetLength: a['target-length'],
      maxSeconds: a['max-seconds'], clips: a.clips, benchSeconds: a['bench-seconds'], warn: log,
    });
    const files = writeEvalReport(a.out, 'eval-model', 'binwave eval model', `\`${a.model}\` on held-out audio of \`${a.data}\``, modelSections(r), modelEvalSummary(r));
    if (a.json) process.stdout.write(JSON.stringify(modelEvalSummary(r), null, 2) + '\n');
    else process.stdout.write(modelTables(r).map(tableMarkdown).join('\n'));
    done(files);
  }),
};

const sweepCommand: CommandModule<GlobalArgs, SweepArgs> = {
  command: 'sweep',
  describe: 'train the same trunk at each Q (same seed, budget, validation files) and tabulate eval model for each',
  builder: (y) =>
    withCommon(y)
      .option('bins', { type: 'string', default: '16,64,256,1024', describe: 'Q values, comma-separated' })
      .option('steps', { type: 'number', describe: 'optimizer steps per model' })
      .option('minutes', { type: 'number', describe: 'minutes of training per model' })
      .option('preset', { choices: Object.keys(PRESETS), default: 'tiny', describe: 'the trunk' })
      .option('companding', { choices: ['mulaw', 'linear'] as const, describe: "bin spacing (default: the preset's)" })
      .option('seed', { type: 'number', default: 42 })
      .option('target-length', { type: 'number', default: 1024, describe: 'predicted samples per training window' })
      .option('lr', { type: 'number', default: 3e-3, describe: 'peak learning rate' })
      .option('max-seconds', { type: 'number', default: 10, describe: 'held-out audio scored per model' })
      .option('backend', { choices: BACKEND_CHOICES, default: 'auto' as BackendChoice })
      .example('$0 eval sweep --data data --bins 16,64,256,1024 --minutes 2 --out runs/sweep', 'the trade-off table') as never,
  handler: handler<SweepArgs>(async (a) => {
    assertReportWritable(a.out, 'eval-sweep', a.force);
    const s = await runSweep({
      data: a.data, out: a.out, bins: parseNumberList('bins', a.bins), preset: a.preset, companding: a.companding, steps: a.steps,
      minutes: a.minutes, seed: a.seed, targetLength: a['target-length'], lr: a.lr, maxSeconds: a['max-seconds'], backend: a.backend, log,
    });
    const files = writeEvalReport(a.out, 'eval-sweep', 'binwave eval sweep', `One trunk (\`${s.preset}\`), several Q · \`${a.data}\``, sweepSections(s), sweepSummary(s));
    if (a.json) process.stdout.write(JSON.stringify(sweepSummary(s), null, 2) + '\n');
    else process.stdout.write(sweepTables(s).map(tableMarkdown).join('\n'));
    process.stderr.write(`models in ${path.join(a.out, 'q<Q>')}; `);
    done(files);
  }),
};

export const evalCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'eval',
  describe: 'measure what the bins cost and buy: eval bins | model | sweep',
  builder: (y) => y.command(binsCommand).command(modelCommand).command(sweepCommand).demandCommand(1, 'name what to evaluate: bins, model or sweep') as never,
  handler: () => undefined,
};
