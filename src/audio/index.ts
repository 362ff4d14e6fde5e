/** Audio I/O: read any reasonable WAV to mono float, resample, trim, normalise, write, scan folders. */
export { readWav, decodeWav } from './wav';
export type { Audio, AudioInfo } from './wav';
export { resample, resampledLength } from './resample';
export { trimSilence } from './trim';
export type { TrimOptions, TrimResult } from './trim';
export { peakNormalize, toDb } from './normalize';
export { loadAudio } from './load';
export type { LoadOptions, Loaded } from './load';
export { writeWav, encodeWav } from './write';
export type { WriteOptions } from './write';
export { scanWavFolder, readAll } from './scan';
export type { Problem, ReadAllResult } from './scan';
