/** A model directory with random weights (no training): enough for eval model, report and their tests. */
import * as fs from 'fs';
import * as path from 'path';
import { writeWav } from '../../src/audio';
import { presetConfig } from '../../src/model/config';
import { initWeights } from '../../src/model/wavenet';
import { saveCheckpoint } from '../../src/train/checkpoint';
import { tone, writeSampleMetrics } from './sample-report';

export function makeRandomModel(dir: string, bins = 64, opts: { samples?: boolean } = {}): string {
  const config = presetConfig('tiny', { quantizer: { bins, mu: 255, companding: 'mulaw' } });
  saveCheckpoint(dir, { config, weights: initWeights(config, 7), step: 1 });
  writeSampleMetrics(path.join(dir, 'metrics.jsonl'));
  if (opts.samples) {
    fs.mkdirSync(path.join(dir, 'samples'), { recursive: true });
    writeWav(path.join(dir, 'samples', 'generated-0.wav'), tone(220, 0.5), 16000, { force: true });
  }
  return dir;
}

/**
 * Three speech files of data/ (12 s) copied into dir: the eval tests run on them rather than on all 75 s,
 * because numeric loops run many times slower under jest than under node (see the quantizer tests).
 */
export function smallCorpus(dir: string): string {
  const data = path.join(__dirname, '..', '..', 'data');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['speech16k_codec2_a.wav', 'speech8k_hts1a.wav', 'speech_allison_agent-newlocation.wav']) {
    fs.copyFileSync(path.join(data, f), path.join(dir, f));
  }
  return dir;
}
