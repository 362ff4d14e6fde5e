/**
 * Leading/trailing silence removal by frame RMS against an absolute threshold in dBFS. It never drops a whole
 * file: if nothing reaches the threshold the input comes back unchanged with allSilent = true, and the caller
 * decides whether to warn or skip.
 */

export interface TrimOptions {
  /** RMS frame length in seconds (default 0.01). */
  frameSec?: number;
  /** Audio kept on each side of the first/last loud frame, in seconds (default 0.02): keeps soft onsets. */
  padSec?: number;
}

export interface TrimResult {
  samples: Float32Array;
  removedStartSec: number;
  removedEndSec: number;
  allSilent: boolean;
}

export function trimSilence(
  x: Float32Array, sampleRate: number, thresholdDb: number, opts: TrimOptions = {},
): TrimResult {
  const frame = Math.max(1, Math.round((opts.frameSec ?? 0.01) * sampleRate));
  const pad = Math.round((opts.padSec ?? 0.02) * sampleRate);
  const threshold = 10 ** (thresholdDb / 20);
  const loud = (start: number): boolean => {
    const end = Math.min(x.length, start + frame);
    let s = 0;
    for (let i = start; i < end; i++) s += x[i] * x[i];
    return Math.sqrt(s / (end - start)) >= threshold;
  };
  let first = -1;
  for (let s = 0; s < x.length; s += frame) if (loud(s)) { first = s; break; }
  if (first < 0) return { samples: x, removedStartSec: 0, removedEndSec: 0, allSilent: true };
  let last = first;
  for (let s = Math.floor((x.length - 1) / frame) * frame; s >= first; s -= frame) if (loud(s)) { last = s; break; }
  const start = Math.max(0, first - pad);
  const end = Math.min(x.length, last + frame + pad);
  return {
    samples: x.subarray(start, end),
    removedStartSec: start / sampleRate,
    removedEndSec: (x.length - end) / sampleRate,
    allSilent: false,
  };
}
