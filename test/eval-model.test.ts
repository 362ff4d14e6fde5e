/** eval model on a random-weights tiny model, and eval sweep with two Q and a handful of steps. */
import * as fs from 'fs';
import * as path from 'path';
import { evalModel, modelEvalSummary, ModelEvalResult } from '../src/eval/model';
import { modelSections, sweepSections, sweepTable } from '../src/eval/report';
import { runSweep } from '../src/eval/sweep';
import { loadModel } from '../src/train/checkpoint';
import { Dataset } from '../src/data/dataset';
import { folderDataset } from '../src/data/folder';
import { makeRandomModel, smallCorpus } from './helpers/eval-model';
import { tmpDir, useWasm } from './helpers';

const tmp = tmpDir('eval-model');
const DATA = smallCorpus(path.join(tmp, 'data'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('eval model', () => {
  let r: ModelEvalResult;
  const dir = path.join(tmp, 'm64');
  beforeAll(async () => {
    makeRandomModel(dir, 64, { samples: true });
    r = await evalModel({ model: dir, data: DATA, maxSeconds: 0.5, benchSeconds: 0.05, warn: () => undefined });
  });

  test('held-out files are the validation files of the training split', () => {
    const data: Dataset = folderDataset({ dir: DATA, config: loadModel(dir).config, targetLength: 4096, valFraction: 0.1, seed: 43, warn: () => undefined });
    expect(r.split).toBe('val');
    expect(r.files.map((f) => f.file)).toEqual(data.val.map((f) => f.file).slice(0, r.files.length));
    expect(r.files.length).toBe(1);
    expect(r.scoredSeconds).toBeGreaterThan(0.48);
    expect(r.scoredSeconds).toBeLessThanOrEqual(0.5);
  });

  test('density NLL = NLL + mean log2 bin width, exactly; baselines', () => {
    expect(r.densityBits).toBeCloseTo(r.nllBits + r.meanLog2Width, 9);
    expect(r.meanLog2Width).toBeLessThan(0); // bins narrower than the full range
    expect(r.baselines.log2Q).toBe(6);
    expect(r.baselines.histogramEntropyBits).toBeGreaterThan(4);
    expect(r.baselines.histogramEntropyBits).toBeLessThanOrEqual(6);
    expect(r.nllBits).toBeGreaterThan(0);
    expect(r.top5).toBeGreaterThanOrEqual(r.top1);
  });

  test('strategies, cost, speed, training curve, heat map and clips', () => {
    expect(r.strategies.map((s) => s.name)).toEqual(['argmax', 'mean', 'interp-1', 'interp-2', 'sample']);
    for (const s of r.strategies) expect(Number.isFinite(s.snrDb)).toBe(true);
    expect(r.cost.headMacsPerSample).toBe(32 * 32 + 32 * 64);
    expect(r.cost.headParameters).toBe(32 * 32 + 32 + 32 * 64 + 64);
    expect(r.generation!.samplesPerSecond).toBeGreaterThan(1000);
    expect(r.training!.lastStep).toBe(2000);
    expect(r.media.heat.probs.length).toBe(400);
    expect(r.media.heat.probs[0].length).toBe(64);
    expect(r.media.generated.length).toBe(1);
    const json = JSON.stringify(modelEvalSummary(r));
    expect(json.length).toBeLessThan(20000);
    const sections = modelSections(r);
    expect(sections.flatMap((s) => s.figures ?? []).length).toBe(4);
  });

  test('a missing model directory is a one-line error', async () => {
    await expect(evalModel({ model: path.join(tmp, 'nope'), data: DATA })).rejects.toThrow(/nope: no such model directory$/);
  });
});

describe('eval sweep', () => {
  test('two Q values, a handful of steps: a table with both rows', async () => {
    await useWasm();
    const s = await runSweep({
      data: DATA, out: path.join(tmp, 'sweep'), bins: [16, 32], steps: 2, batch: 1, targetLength: 64, maxSeconds: 0.25,
      benchSeconds: 0, backend: 'wasm', log: () => undefined,
    });
    expect(s.rows.map((x) => [x.bins, x.steps])).toEqual([[16, 2], [32, 2]]);
    // same validation files for every Q
    expect(s.rows[0].eval.files.map((f) => f.file)).toEqual(s.rows[1].eval.files.map((f) => f.file));
    const t = sweepTable(s);
    expect(t.rows.map((row) => row[0])).toEqual([16, 32]);
    expect(s.rows[1].eval.baselines.log2Q).toBe(5);
    expect(fs.existsSync(path.join(tmp, 'sweep', 'q32', 'metrics.jsonl'))).toBe(true);
    expect(sweepSections(s)[0].figures!.length).toBe(3);
  });
});
