/**
 * `binwave eval bins`: what quantization alone costs, before any model. For every Q and companding, the audio is
 * round-tripped through the quantizer (src/quantize/quantizer.ts, the one the model trains on) and scored:
 * SNR and segmental SNR of the round trip, the largest error, and the entropy of the bin histogram (the
 * bits/sample a context-free model would need; at most log2 Q).
 */
import * as path from 'path';
import { loadAudio, scanWavFolder } from '../audio';
import { Companding, Quantizer } from '../quantize/quantizer';
import { concatArrays } from '../util/arrays';
import { UserError } from '../util/errors';
import { entropyBits, segmentalSnrDb, snrDb } from './metrics';

export interface BinsOptions {
  /** A folder of WAVs (searched recursively) or one WAV file. */
  data: string;
  bins?: number[];
  compandings?: Companding[];
  mu?: number;
  /** Resample every file to this rate (default 16000, the presets' rate). */
  sampleRate?: number;
  /** Keep the round trips of this clip for listening (default: the first speech file, else the first file). */
  clipSeconds?: number;
  warn?: (line: string) => void;
}

export const DEFAULT_EVAL_BINS = [16, 64, 256, 1024, 4096, 65536];

export interface BinsRow {
  bins: number;
  companding: Companding;
  mu: number;
  log2Q: number;
  snrDb: number;
  segSnrDb: number;
  maxError: number;
  /** Half the widest bin: no round-trip error can exceed it. */
  maxErrorBound: number;
  /** Entropy of the histogram of bin codes over the whole corpus (bits/sample). */
  entropyBits: number;
  /** Bins that no sample falls in. */
  unusedBins: number;
}

export interface BinsResult {
  data: string;
  files: number;
  samples: number;
  seconds: number;
  sampleRate: number;
  mu: number;
  rows: BinsRow[];
  /** One clip and its round trips (for the report's audio players). */
  clip: { file: string; samples: Float32Array; roundTrips: { bins: number; companding: Companding; samples: Float32Array }[] };
  elapsedSeconds: number;
}

/** Validate a --bins list: integers from 2 to 65536. */
export function checkBins(bins: number[], flag = 'bins'): void {
  if (bins.length === 0) throw new UserError(`--${flag}: give at least one Q`);
  for (const q of bins) {
    if (!Number.isInteger(q) || q < 2 || q > 65536) throw new UserError(`--${flag}: Q must be an integer from 2 to 65536, got ${q}`);
  }
}

/** Every file of `data` at one rate, concatenated (file boundaries only touch a few segmental-SNR frames). */
export function loadCorpus(data: string, sampleRate: number, warn?: (l: string) => void): { files: string[]; signal: Float32Array; parts: Float32Array[] } {
  const { files, problems } = scanWavFolder(data);
  for (const p of problems) warn?.(`skipped ${p.file}: ${p.reason}`);
  if (files.length === 0) throw new UserError(`${data}: no .wav files found`);
  const parts: Float32Array[] = [];
  const used: string[] = [];
  for (const f of files) {
    try {
      parts.push(loadAudio(f, { sampleRate }).audio.samples);
      used.push(f);
    } catch (err) {
      warn?.(`skipped ${f}: ${(err as Error).message}`);
    }
  }
  if (parts.length === 0) throw new UserError(`${data}: no readable .wav file`);
  return { files: used, signal: concatArrays(parts, (n) => new Float32Array(n)), parts };
}

/** Score one quantizer on a signal. */
export function scoreQuantizer(q: Quantizer, x: Float32Array): BinsRow {
  const { codes } = q.encodeArray(x);
  const y = q.decodeArray(codes);
  const hist = new Float64Array(q.bins);
  let maxError = 0;
  for (let i = 0; i < x.length; i++) {
    hist[codes[i]]++;
    const e = Math.abs(Math.max(-1, Math.min(1, x[i])) - y[i]);
    if (e > maxError) maxError = e;
  }
  let widest = 0;
  for (let b = 0; b < q.bins; b++) widest = Math.max(widest, q.binWidth(b));
  let unused = 0;
  for (let b = 0; b < q.bins; b++) if (hist[b] === 0) unused++;
  return {
    bins: q.bins,
    companding: q.companding,
    mu: q.mu,
    log2Q: Math.log2(q.bins),
    snrDb: snrDb(x, y),
    segSnrDb: segmentalSnrDb(x, y),
    maxError,
    maxErrorBound: widest / 2,
    entropyBits: entropyBits(hist),
    unusedBins: unused,
  };
}

export function evalBins(o: BinsOptions): BinsResult {
  const t0 = Date.now();
  const bins = o.bins ?? DEFAULT_EVAL_BINS;
  checkBins(bins);
  const compandings = o.compandings ?? ['mulaw', 'linear'];
  for (const c of compandings) {
    if (c !== 'mulaw' && c !== 'linear') throw new UserError(`--companding: expected mulaw or linear, got ${String(c)}`);
  }
  const mu = o.mu ?? 255;
  if (!(mu > 0) || !Number.isFinite(mu)) throw new UserError(`--mu: expected a positive number, got ${mu}`);
  const sampleRate = o.sampleRate ?? 16000;
  const { files, signal, parts } = loadCorpus(o.data, sampleRate, o.warn);
  const rows: BinsRow[] = [];
  for (const companding of compandings) {
    for (const Q of bins) rows.push(scoreQuantizer(new Quantizer({ bins: Q, mu, companding }), signal));
  }
  // A clip to listen to: the first speech file if there is one (quantization noise is easiest to hear on speech).
  let ci = files.findIndex((f) => /speech/i.test(path.basename(f)));
  if (ci < 0) ci = 0;
  const clipLen = Math.min(parts[ci].length, Math.round((o.clipSeconds ?? 4) * sampleRate));
  const clip = parts[ci].slice(0, clipLen);
  const listenQ = [16, 256].filter((q) => q <= 65536);
  const roundTrips = compandings.flatMap((companding) =>
    listenQ.map((Q) => ({ bins: Q, companding, samples: new Quantizer({ bins: Q, mu, companding }).roundTrip(clip) })),
  );
  return {
    data: o.data,
    files: files.length,
    samples: signal.length,
    seconds: signal.length / sampleRate,
    sampleRate,
    mu,
    rows,
    clip: { file: files[ci], samples: clip, roundTrips },
    elapsedSeconds: (Date.now() - t0) / 1000,
  };
}
