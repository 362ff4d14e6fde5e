/**
 * MODEL_DIR layout (self-describing, TensorFlow.js weights format):
 *   model.json                   the latest checkpoint's config and a weights manifest whose path points into it
 *   checkpoints/step-000500/     model.json, weights.bin, optimizer.bin (Adam moments), state.json (step, RNGs)
 *   metrics.jsonl                one JSON object per step
 * A checkpoint is written into a temporary folder and renamed into place, then the top-level model.json is
 * replaced atomically, then old checkpoints beyond the last K are removed: a crash at any point leaves a
 * complete, loadable model.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ModelConfig, shapeSize, validateConfig, weightShapes } from '../model/config';
import { WeightArrays } from '../model/wavenet';
import { concatArrays, splitArray } from '../util/arrays';
import { UserError } from '../util/errors';
import { writeFileAtomic } from '../util/files';

export const FORMAT = 'binwave-wavenet';
export const FORMAT_VERSION = 1;

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface ModelJson {
  format: typeof FORMAT;
  formatVersion: number;
  generatedBy: string;
  modelTopology: null;
  binwave: { model: ModelConfig; step: number; checkpoint: string };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

export interface LoadedModel {
  config: ModelConfig;
  weights: WeightArrays;
  step: number;
  /** Folder of the checkpoint the weights came from. */
  checkpointDir: string;
}

export interface OptimizerState {
  step: number;
  moments: Float32Array[];
}

/** Concatenate float32 arrays into one little-endian buffer. */
function packFloats(arrays: Float32Array[]): Buffer {
  return Buffer.from(concatArrays(arrays, (n) => new Float32Array(n)).buffer);
}

function unpackFloats(file: string, sizes: number[]): Float32Array[] {
  const buf = fs.readFileSync(file);
  const expected = sizes.reduce((s, n) => s + n, 0) * 4;
  if (buf.length !== expected) {
    throw new UserError(`${file}: expected ${expected} bytes, found ${buf.length} (truncated or from another model)`);
  }
  return splitArray(new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)), sizes);
}

function stepName(step: number): string {
  return `step-${String(step).padStart(7, '0')}`;
}

function modelJson(config: ModelConfig, step: number, checkpoint: string, weightsPath: string): ModelJson {
  return {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    generatedBy: 'binwave',
    modelTopology: null,
    binwave: { model: config, step, checkpoint },
    weightsManifest: [{
      paths: [weightsPath],
      weights: weightShapes(config).map(([name, shape]) => ({ name, shape, dtype: 'float32' as const })),
    }],
  };
}

export interface SaveOptions {
  config: ModelConfig;
  weights: WeightArrays;
  step: number;
  optimizer?: OptimizerState;
  /** Anything else training needs to resume (RNG states, schedule); stored as state.json. */
  state?: unknown;
  /** Checkpoints to keep (the newest K). */
  keep?: number;
}

export function saveCheckpoint(dir: string, o: SaveOptions): string {
  const ckRoot = path.join(dir, 'checkpoints');
  fs.mkdirSync(ckRoot, { recursive: true });
  const name = stepName(o.step);
  const finalDir = path.join(ckRoot, name);
  const tmpDir = path.join(ckRoot, `.tmp-${name}-${process.pid}`);
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.mkdirSync(tmpDir);
  const ordered = weightShapes(o.config).map(([n]) => {
    const w = o.weights.get(n);
    if (!w) throw new Error(`saveCheckpoint: missing weight ${n}`);
    return w;
  });
  fs.writeFileSync(path.join(tmpDir, 'weights.bin'), packFloats(ordered));
  fs.writeFileSync(path.join(tmpDir, 'model.json'), JSON.stringify(modelJson(o.config, o.step, '.', 'weights.bin'), null, 1));
  if (o.optimizer) {
    fs.writeFileSync(path.join(tmpDir, 'optimizer.bin'), packFloats(o.optimizer.moments));
  }
  fs.writeFileSync(path.join(tmpDir, 'state.json'), JSON.stringify({ step: o.step, optimizerStep: o.optimizer?.step ?? 0, state: o.state ?? null }));
  for (const f of fs.readdirSync(tmpDir)) {
    const fd = fs.openSync(path.join(tmpDir, f), 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }
  fs.rmSync(finalDir, { recursive: true, force: true });
  fs.renameSync(tmpDir, finalDir);
  const rel = `checkpoints/${name}`;
  writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(modelJson(o.config, o.step, rel, `${rel}/weights.bin`), null, 1));
  pruneCheckpoints(ckRoot, o.keep ?? 3, name);
  return finalDir;
}

function pruneCheckpoints(ckRoot: string, keep: number, current: string): void {
  const all = fs.readdirSync(ckRoot).filter((n) => /^step-\d+$/.test(n)).sort();
  const drop = all.slice(0, Math.max(0, all.length - Math.max(1, keep)));
  for (const n of drop) if (n !== current) fs.rmSync(path.join(ckRoot, n), { recursive: true, force: true });
}

function readModelJson(file: string): ModelJson {
  if (!fs.existsSync(file)) {
    throw new UserError(`${path.dirname(file)}: no model.json (not a binwave model directory, or training has not saved yet)`);
  }
  let j: ModelJson;
  try {
    j = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelJson;
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (j.format !== FORMAT || !j.binwave?.model) throw new UserError(`${file}: not a binwave model (format "${String(j.format)}")`);
  if (j.formatVersion > FORMAT_VERSION) {
    throw new UserError(`${file}: format version ${j.formatVersion} is newer than this binwave reads (${FORMAT_VERSION})`);
  }
  try {
    validateConfig(j.binwave.model);
  } catch (err) {
    throw new UserError(`${file}: ${(err as Error).message}`);
  }
  return j;
}

/** Load the weights and config that MODEL_DIR/model.json points to. */
export function loadModel(dir: string): LoadedModel {
  const file = path.join(dir, 'model.json');
  const j = readModelJson(file);
  const config = j.binwave.model;
  const expected = weightShapes(config);
  const manifest = j.weightsManifest?.[0];
  if (!manifest || manifest.weights.length !== expected.length || manifest.weights.some((w, i) => w.name !== expected[i][0])) {
    throw new UserError(`${file}: weights manifest does not match the model config (incompatible or corrupt model)`);
  }
  const weightsFile = path.join(dir, ...manifest.paths[0].split('/'));
  if (!fs.existsSync(weightsFile)) throw new UserError(`${weightsFile}: missing (the model directory is incomplete)`);
  const arrays = unpackFloats(weightsFile, expected.map(([, s]) => shapeSize(s)));
  const weights: WeightArrays = new Map(expected.map(([name], i) => [name, arrays[i]]));
  const checkpointDir = path.join(dir, ...j.binwave.checkpoint.split('/'));
  return { config, weights, step: j.binwave.step, checkpointDir };
}

/** The optimizer moments and training state saved beside the latest weights. */
export function loadTrainingState(checkpointDir: string, momentSizes: number[]): { optimizer: OptimizerState; state: unknown; step: number } {
  const stateFile = path.join(checkpointDir, 'state.json');
  if (!fs.existsSync(stateFile)) throw new UserError(`${checkpointDir}: no state.json, cannot resume training from it`);
  const s = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { step: number; optimizerStep: number; state: unknown };
  const moments = unpackFloats(path.join(checkpointDir, 'optimizer.bin'), momentSizes);
  return { optimizer: { step: s.optimizerStep, moments }, state: s.state, step: s.step };
}
