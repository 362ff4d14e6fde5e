/** A Dataset over a WAV folder, read through the audio module at the model's rate: what train and eval share. */
import * as path from 'path';
import { loadAudio, scanWavFolder } from '../audio';
import { ModelConfig, receptiveField } from '../model/config';
import { Quantizer } from '../quantize/quantizer';
import { UserError } from '../util/errors';
import { writeFileAtomic } from '../util/files';
import { Dataset } from './dataset';

export interface FolderDataOptions {
  dir: string;
  config: ModelConfig;
  targetLength: number;
  valFraction: number;
  seed: number;
  trimDb?: number;
  normalize?: boolean;
  cacheMb?: number;
  /** Any unreadable or unusable file ends the run instead of being skipped. */
  strict?: boolean;
  warn?: (line: string) => void;
}

/** `binwave train`'s defaults that decide the split (which files are long enough to use, which are held out). */
export const DEFAULT_VAL_FRACTION = 0.1;
export const DEFAULT_TARGET_LENGTH = 4096;

/** MODEL_DIR/split.json: which files training used and held out, relative to its data folder. */
export const SPLIT_FILE = 'split.json';

export interface TrainSplit {
  data: string;
  valFraction: number;
  train: string[];
  val: string[];
  skipped: { file: string; reason: string }[];
}

/** Write MODEL_DIR/split.json for a dataset built from `dir`, so evaluation can find the held-out files again. */
export function recordSplit(modelDir: string, d: Dataset, dir: string, valFraction: number): void {
  const rel = (f: string) => path.relative(dir, f) || path.basename(f);
  const split: TrainSplit = {
    data: path.resolve(dir),
    valFraction,
    train: d.train.map((f) => rel(f.file)),
    val: d.val.map((f) => rel(f.file)),
    skipped: d.summary.skipped.map((s) => ({ file: rel(s.file), reason: s.reason })),
  };
  writeFileAtomic(path.join(modelDir, SPLIT_FILE), JSON.stringify(split, null, 1));
}

export function folderDataset(o: FolderDataOptions): Dataset {
  const warn = o.warn ?? ((l: string) => process.stderr.write(l + '\n'));
  const { files, problems } = scanWavFolder(o.dir);
  for (const p of problems) {
    if (o.strict) throw new UserError(`${p.file}: ${p.reason}`);
    warn(`skipped ${p.file}: ${p.reason}`);
  }
  if (files.length === 0) throw new UserError(`${o.dir}: no .wav files found`);
  const load = (file: string): Float32Array => {
    const { audio, trimmed } = loadAudio(file, { sampleRate: o.config.sampleRate, trimDb: o.trimDb, normalize: o.normalize });
    for (const w of audio.warnings) {
      if (o.strict) throw new UserError(`${file}: ${w}`);
      warn(`warning: ${file}: ${w}`);
    }
    if (trimmed && (trimmed.removedStartSec > 0.5 || trimmed.removedEndSec > 0.5)) {
      warn(`trimmed ${file}: ${trimmed.removedStartSec.toFixed(2)} s at the start, ${trimmed.removedEndSec.toFixed(2)} s at the end`);
    }
    return audio.samples;
  };
  return new Dataset({
    files,
    root: o.dir,
    load,
    quantizer: new Quantizer(o.config.quantizer),
    receptiveField: receptiveField(o.config),
    targetLength: o.targetLength,
    valFraction: o.valFraction,
    seed: o.seed,
    cacheBytes: (o.cacheMb ?? 256) * 1024 * 1024,
    onProblem: (file, reason) => {
      if (o.strict) throw new UserError(`${file}: ${reason}`);
      warn(`skipped ${file}: ${reason}`);
    },
  });
}
