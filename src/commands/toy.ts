/** `binwave toy`: does cross-entropy make sense for regression? (see src/eval/toy.ts) */
import * as path from 'path';
import type { CommandModule } from 'yargs';
import { BACKEND_CHOICES, BackendChoice } from '../backend';
import { runToy, toyMarkdown, toySvgs, DEFAULT_TOY } from '../eval/toy';
import { toySections } from '../eval/report';
import { renderReport } from '../report';
import { Companding } from '../quantize/quantizer';
import { UserError } from '../util/errors';
import { assertWritable, writeFileAtomic } from '../util/files';
import { GlobalArgs, handler, parseNumberList } from './common';

interface ToyArgs extends GlobalArgs {
  out: string;
  seed: number;
  steps: number;
  bins: number;
  companding: Companding;
  mu: number;
  'q-sweep': string;
  backend: BackendChoice;
  json: boolean;
  force: boolean;
}

export const toyCommand: CommandModule<GlobalArgs, ToyArgs> = {
  command: 'toy',
  describe: 'regression by classification on a 1-D toy: MSE vs Gaussian NLL vs softmax CE over bins',
  builder: (y) =>
    y
      .option('out', { type: 'string', default: 'toy', describe: 'folder for toy.json, toy.html and the SVG plots' })
      .option('seed', { type: 'number', default: DEFAULT_TOY.seed })
      .option('steps', { type: 'number', default: DEFAULT_TOY.steps, describe: 'Adam steps per model' })
      .option('bins', { type: 'number', default: DEFAULT_TOY.bins, describe: 'Q for the categorical head' })
      .option('companding', { choices: ['linear', 'mulaw'] as const, default: DEFAULT_TOY.companding })
      .option('mu', { type: 'number', default: DEFAULT_TOY.mu, describe: 'μ for --companding mulaw' })
      .option('q-sweep', { type: 'string', default: DEFAULT_TOY.qSweep.join(','), describe: 'Q values for the resolution sweep' })
      .option('backend', { choices: BACKEND_CHOICES, default: 'wasm' as BackendChoice })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON instead of markdown' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite existing output files' }) as never,
  handler: handler(async (a: ToyArgs) => {
    const intIn = (flag: string, v: number, lo: number, hi: number) => {
      if (!Number.isInteger(v) || v < lo || v > hi) throw new UserError(`--${flag} must be an integer from ${lo} to ${hi}, got ${v}`);
    };
    intIn('steps', a.steps, 1, 1e6);
    intIn('bins', a.bins, 2, 4096);
    const qSweep = parseNumberList('q-sweep', a['q-sweep']);
    qSweep.forEach((q) => intIn('q-sweep', q, 2, 4096));
    if (!(a.mu >= 0)) throw new UserError(`--mu must be >= 0, got ${a.mu}`);
    const files = ['toy.json', 'toy.html', 'gaussian_fit.svg', 'bimodal_fit.svg', 'bimodal_pyx.svg', 'q_sweep.svg'].map((f) => path.join(a.out, f));
    for (const f of files) assertWritable(f, a.force);
    const r = await runToy({
      seed: a.seed, steps: a.steps, bins: a.bins, companding: a.companding, mu: a.mu, qSweep, backend: a.backend,
      log: a.verbose ? (l) => process.stderr.write(`${l}\n`) : undefined,
    });
    writeFileAtomic(path.join(a.out, 'toy.json'), JSON.stringify(r) + '\n');
    for (const [name, svg] of Object.entries(toySvgs(r))) writeFileAtomic(path.join(a.out, name), svg);
    writeFileAtomic(path.join(a.out, 'toy.html'), renderReport({ title: 'binwave toy', subtitle: 'MSE vs Gaussian NLL vs softmax cross-entropy over bins, on a 1-D regression', sections: toySections(r) }));
    if (a.json) {
      const { grid: _g, testData: _t, ...summary } = r;
      void _g;
      void _t;
      process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    } else {
      process.stdout.write(toyMarkdown(r));
      process.stdout.write(`\nwrote ${files.join(', ')}\n`);
    }
  }),
};
