/** The one way training, evaluation and the CLI get audio: read, mix to mono, resample, normalise, trim. */
import { peakNormalize } from './normalize';
import { resample } from './resample';
import { trimSilence } from './trim';
import { Audio, readWav } from './wav';

export interface LoadOptions {
  /** Target sample rate; the file's own rate when omitted. */
  sampleRate?: number;
  /** Peak-normalise to -1 dBFS. */
  normalize?: boolean;
  /** Trim leading/trailing audio whose frame RMS is below this many dBFS (e.g. -40). */
  trimDb?: number;
}

export interface Loaded {
  audio: Audio;
  trimmed?: { removedStartSec: number; removedEndSec: number; allSilent: boolean };
}

export function loadAudio(file: string, opts: LoadOptions = {}): Loaded {
  const a = readWav(file);
  const warnings = [...a.warnings];
  let samples = a.samples;
  let rate = a.sampleRate;
  if (opts.sampleRate !== undefined && opts.sampleRate !== rate) {
    samples = resample(samples, rate, opts.sampleRate);
    rate = opts.sampleRate;
  }
  // Normalise before trimming so the threshold means the same thing for loud and quiet recordings.
  if (opts.normalize) samples = peakNormalize(samples).samples;
  let trimmed: Loaded['trimmed'];
  if (opts.trimDb !== undefined) {
    const t = trimSilence(samples, rate, opts.trimDb);
    trimmed = { removedStartSec: t.removedStartSec, removedEndSec: t.removedEndSec, allSilent: t.allSilent };
    if (t.allSilent) warnings.push(`all audio is below ${opts.trimDb} dBFS; nothing trimmed`);
    samples = t.samples;
  }
  return { audio: { samples, sampleRate: rate, info: a.info, warnings }, trimmed };
}
