/**
 * Training windows from a set of audio files. Each window is RF + n bin codes: the model reads the first
 * RF + n - 1 and predicts the last n. Files are split into train and validation by a hash of their path (so the
 * split does not depend on the folder's order or size), crops are drawn from a seeded Rng whose state is saved in
 * checkpoints, and decoded audio lives in a byte-bounded LRU cache, so memory does not grow with the corpus.
 */
import * as path from 'path';
import { Quantizer } from '../quantize/quantizer';
import { Rng, RngState } from '../util/rng';
import { UserError } from '../util/errors';
import { entropyBits } from '../eval/metrics';

/** Decodes one file to mono samples at the model's rate, or throws a UserError naming the file. */
export type AudioLoader = (file: string) => Float32Array;

export interface DatasetOptions {
  files: string[];
  /** Root the files are named relative to (for the split hash and messages). */
  root?: string;
  load: AudioLoader;
  quantizer: Quantizer;
  receptiveField: number;
  /** Predicted samples per window. */
  targetLength: number;
  valFraction: number;
  seed: number;
  /** Upper bound on decoded codes held in memory (bytes); 2 bytes per sample. */
  cacheBytes?: number;
  /** Report of a file that could not be used (the run goes on without it). */
  onProblem?: (file: string, reason: string) => void;
}

export interface FileEntry {
  file: string;
  samples: number;
}

export interface DatasetSummary {
  trainFiles: number;
  valFiles: number;
  trainSeconds: number;
  valSeconds: number;
  skipped: { file: string; reason: string }[];
  /** Entropy of the training data's bin histogram (bits/sample): a model with no context can do no better. */
  histogramEntropyBits: number;
  clippedSamples: number;
}

/** FNV-1a of a string, in [0, 1): a stable, order-independent key for the train/validation split. */
export function splitKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 4294967296;
}

/**
 * Choose validation files: the ceil(fraction·N) files with the smallest split key, but never all of them, and
 * none when the fraction is 0 or there is only one file.
 */
export function splitFiles(names: string[], valFraction: number): { train: string[]; val: string[] } {
  if (valFraction <= 0 || names.length < 2) return { train: [...names], val: [] };
  const k = Math.min(names.length - 1, Math.max(1, Math.round(valFraction * names.length)));
  const ranked = [...names].sort((a, b) => splitKey(a) - splitKey(b) || (a < b ? -1 : 1));
  const val = new Set(ranked.slice(0, k));
  return { train: names.filter((n) => !val.has(n)), val: names.filter((n) => val.has(n)) };
}

/** A byte-bounded least-recently-used cache of decoded code arrays. */
class CodeCache {
  private readonly map = new Map<string, Uint16Array>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  get(key: string, make: () => Uint16Array): Uint16Array {
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const v = make();
    this.map.set(key, v);
    this.bytes += v.byteLength;
    for (const [k, old] of this.map) {
      if (this.bytes <= this.maxBytes || k === key) break;
      this.map.delete(k);
      this.bytes -= old.byteLength;
    }
    return v;
  }

  get heldBytes(): number {
    return this.bytes;
  }
}

export class Dataset {
  readonly windowLength: number;
  readonly train: FileEntry[];
  readonly val: FileEntry[];
  readonly summary: DatasetSummary;
  private readonly rng: Rng;
  private readonly cache: CodeCache;
  private readonly cumulative: Float64Array;

  constructor(private readonly opts: DatasetOptions) {
    this.windowLength = opts.receptiveField + opts.targetLength;
    this.rng = new Rng(opts.seed);
    this.cache = new CodeCache(opts.cacheBytes ?? 256 * 1024 * 1024);
    const name = (f: string) => (opts.root ? path.relative(opts.root, f) : f);
    const skipped: DatasetSummary['skipped'] = [];
    const skip = (file: string, reason: string) => {
      skipped.push({ file, reason });
      opts.onProblem?.(file, reason);
    };
    // One pass to learn lengths and the bin histogram; codes stay in the cache only while it has room.
    const histogram = new Float64Array(opts.quantizer.bins);
    let clipped = 0;
    const usable: FileEntry[] = [];
    for (const file of opts.files) {
      let codes: Uint16Array;
      try {
        codes = this.cache.get(file, () => {
          const enc = this.encode(file);
          clipped += enc.clipped;
          return enc.codes;
        });
      } catch (err) {
        skip(file, err instanceof Error ? err.message.replace(`${file}: `, '') : String(err));
        continue;
      }
      if (codes.length < this.windowLength) {
        skip(file, `too short for one window (${codes.length} < ${this.windowLength} samples)`);
        continue;
      }
      usable.push({ file, samples: codes.length });
    }
    if (usable.length === 0) {
      const rate = `${this.windowLength} samples`;
      throw new UserError(
        `no usable file for training: none of ${opts.files.length} file(s) is long enough for one window of ${rate}` +
          (skipped.length ? ` (${skipped.length} skipped, e.g. ${skipped[0].file}: ${skipped[0].reason})` : ''),
      );
    }
    const split = splitFiles(usable.map((u) => name(u.file)), opts.valFraction);
    const valNames = new Set(split.val);
    this.val = usable.filter((u) => valNames.has(name(u.file)));
    this.train = usable.filter((u) => !valNames.has(name(u.file)));
    for (const f of this.train) {
      const codes = this.codes(f.file);
      for (let i = 0; i < codes.length; i++) histogram[codes[i]]++;
    }
    this.cumulative = new Float64Array(this.train.length);
    let acc = 0;
    this.train.forEach((f, i) => {
      acc += f.samples - this.windowLength + 1;
      this.cumulative[i] = acc;
    });
    const secs = (fs: FileEntry[]) => fs.reduce((s, f) => s + f.samples, 0);
    this.summary = {
      trainFiles: this.train.length,
      valFiles: this.val.length,
      trainSeconds: secs(this.train),
      valSeconds: secs(this.val),
      skipped,
      histogramEntropyBits: entropyBits(histogram),
      clippedSamples: clipped,
    };
  }

  private encode(file: string): { codes: Uint16Array; clipped: number } {
    const samples = this.opts.load(file);
    const enc = this.opts.quantizer.encodeArray(samples);
    return { codes: Uint16Array.from(enc.codes), clipped: enc.clipped };
  }

  /** Bin codes of a file, decoded again if the cache let it go. */
  codes(file: string): Uint16Array {
    return this.cache.get(file, () => this.encode(file).codes);
  }

  /** A batch of random training windows [batch × windowLength], row-major. Every window start is equally likely. */
  nextBatch(batch: number): Int32Array {
    const W = this.windowLength;
    const out = new Int32Array(batch * W);
    const total = this.cumulative[this.cumulative.length - 1];
    for (let b = 0; b < batch; b++) {
      const r = this.rng.next() * total;
      let lo = 0;
      let hi = this.cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.cumulative[mid] > r) hi = mid;
        else lo = mid + 1;
      }
      const codes = this.codes(this.train[lo].file);
      const start = this.rng.int(codes.length - W + 1);
      for (let i = 0; i < W; i++) out[b * W + i] = codes[start + i];
    }
    return out;
  }

  /**
   * Fixed validation windows: evenly spaced, non-overlapping crops of the validation files (or, when there are
   * none, of the training files), at most `maxWindows`. The same every call, so validation curves are comparable.
   */
  validationWindows(maxWindows: number): Int32Array[] {
    const W = this.windowLength;
    const files = this.val.length > 0 ? this.val : this.train;
    const starts: [string, number][] = [];
    for (const f of files) for (let s = 0; s + W <= f.samples; s += W) starts.push([f.file, s]);
    const count = Math.min(maxWindows, starts.length);
    const out: Int32Array[] = [];
    for (let i = 0; i < count; i++) {
      const [file, s] = starts[Math.floor((i * starts.length) / count)];
      out.push(Int32Array.from(this.codes(file).subarray(s, s + W)));
    }
    return out;
  }

  get cacheBytesHeld(): number {
    return this.cache.heldBytes;
  }

  getRngState(): RngState {
    return this.rng.getState();
  }

  setRngState(s: RngState): void {
    this.rng.setState(s);
  }
}
