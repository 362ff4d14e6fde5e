/**
 * Reading WAV files into a mono Float32Array. Our own chunk walker (riff.ts) and decoders (codecs.ts) are
 * used instead of wavefile's reader because wavefile returns undecoded nibbles for MS ADPCM, drops IMA ADPCM's
 * per-file block size and fails on GSM with a confusing message; the tests check our decoders against wavefile
 * where wavefile is right (PCM, float, G.711).
 */
import * as fs from 'fs';
import { UserError, oneLine } from '../util/errors';
import { Channels, decodeFloat, decodeG711, decodeImaAdpcm, decodeMsAdpcm, decodePcmInt } from './codecs';
import { Container, parseRiff } from './riff';

export interface AudioInfo {
  file: string;
  container: Container;
  /** Human-readable: 'PCM 16-bit', 'IEEE float 32-bit', 'A-law', 'µ-law', 'IMA ADPCM', 'MS ADPCM', ... */
  format: string;
  sampleRate: number;
  channels: number;
  frames: number;
  durationSec: number;
}

export interface Audio {
  /** Mono mix (mean of the channels) in [-1, 1]. */
  samples: Float32Array;
  sampleRate: number;
  info: AudioInfo;
  warnings: string[];
}

/** Names of WAVE format tags, for messages about the ones we cannot decode. */
const FORMAT_NAMES: Record<number, string> = {
  0x0001: 'PCM', 0x0002: 'MS ADPCM', 0x0003: 'IEEE float', 0x0006: 'A-law', 0x0007: 'µ-law',
  0x0011: 'IMA ADPCM', 0x0016: 'ITU G.723 ADPCM', 0x0031: 'GSM 6.10', 0x0040: 'G.721 ADPCM', 0x0050: 'MPEG',
  0x0055: 'MPEG Layer 3', 0x0064: 'G.726 ADPCM', 0x0092: 'Dolby AC3 SPDIF', 0x00ff: 'AAC', 0x0161: 'WMA',
  0x1600: 'ADTS AAC', 0x2000: 'Dolby AC3', 0xf1ac: 'FLAC', 0xfffe: 'WAVE_FORMAT_EXTENSIBLE',
};

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

interface Fmt {
  tag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bits: number;
  extra: Buffer;
}

function parseFmt(chunk: Buffer, le: boolean): Fmt {
  if (chunk.length < 16) throw new UserError(`truncated header ('fmt ' chunk has ${chunk.length} of 16 bytes)`);
  const u16 = (at: number) => (le ? chunk.readUInt16LE(at) : chunk.readUInt16BE(at));
  const u32 = (at: number) => (le ? chunk.readUInt32LE(at) : chunk.readUInt32BE(at));
  let tag = u16(0);
  const cb = chunk.length >= 18 ? u16(16) : 0;
  const extra = chunk.subarray(18, 18 + cb);
  // WAVE_FORMAT_EXTENSIBLE: the real format tag is the first two bytes of the sub-format GUID.
  if (tag === 0xfffe && extra.length >= 8) tag = le ? extra.readUInt16LE(6) : extra.readUInt16BE(6);
  return { tag, channels: u16(2), sampleRate: u32(4), blockAlign: u16(12), bits: u16(14), extra };
}

function describe(fmt: Fmt): string {
  switch (fmt.tag) {
    case 1: return fmt.bits === 8 ? 'PCM 8-bit unsigned' : `PCM ${fmt.bits}-bit`;
    case 3: return `IEEE float ${fmt.bits}-bit`;
    default: return FORMAT_NAMES[fmt.tag] ?? `format ${hex4(fmt.tag)}`;
  }
}

function decode(fmt: Fmt, data: Buffer, le: boolean): Channels {
  const { tag, channels, blockAlign } = fmt;
  const bytes = Math.ceil(fmt.bits / 8);
  switch (tag) {
    case 1: {
      // Trust blockAlign for the container width (e.g. 20-bit in 3 bytes, 24-bit in 4) when it is consistent.
      const width = blockAlign > 0 && blockAlign % channels === 0 ? blockAlign / channels : bytes;
      if (width < 1 || width > 4) throw new UserError(`unsupported PCM sample width ${fmt.bits}-bit`);
      return decodePcmInt(data, channels, width, le);
    }
    case 3:
      if (bytes !== 4 && bytes !== 8) throw new UserError(`unsupported IEEE float width ${fmt.bits}-bit`);
      return decodeFloat(data, channels, bytes, le);
    case 6: return decodeG711(data, channels, 'alaw');
    case 7: return decodeG711(data, channels, 'mulaw');
    case 0x11:
      if (fmt.bits !== 4 || blockAlign < 4 * channels + 4) throw new UserError(`unsupported IMA ADPCM layout`);
      return decodeImaAdpcm(data, channels, blockAlign);
    case 2: {
      const e = fmt.extra;
      if (e.length < 4 || fmt.bits !== 4) throw new UserError('MS ADPCM without its coefficient table');
      const n = e.readUInt16LE(2);
      const coefs: [number, number][] = [];
      for (let i = 0; i < n && 4 + 4 * i + 4 <= e.length; i++) coefs.push([e.readInt16LE(4 + 4 * i), e.readInt16LE(6 + 4 * i)]);
      if (coefs.length === 0) throw new UserError('MS ADPCM without its coefficient table');
      return decodeMsAdpcm(data, channels, blockAlign, coefs);
    }
    default:
      throw new UserError(`unsupported WAV format ${FORMAT_NAMES[tag] ?? 'tag'} (${hex4(tag)})`);
  }
}

/** Mean of the channels; clips (with a count) anything outside [-1, 1] and zeroes non-finite values. */
function mixToMono(chs: Channels, frames: number, warnings: string[]): Float32Array {
  const out = new Float32Array(frames);
  const k = 1 / chs.length;
  for (const ch of chs) for (let i = 0; i < frames; i++) out[i] += ch[i] * k;
  let clipped = 0;
  let nonFinite = 0;
  for (let i = 0; i < frames; i++) {
    const v = out[i];
    if (!Number.isFinite(v)) { out[i] = 0; nonFinite++; } else if (v > 1 || v < -1) { out[i] = v > 0 ? 1 : -1; clipped++; }
  }
  if (clipped) warnings.push(`${clipped} samples outside [-1, 1] were clipped`);
  if (nonFinite) warnings.push(`${nonFinite} non-finite samples were set to 0`);
  return out;
}

/** Decode a WAV buffer; errors are UserErrors without the file name (readWav adds it). */
export function decodeWav(buf: Buffer, file = '<buffer>'): Audio {
  const layout = parseRiff(buf);
  const le = layout.littleEndian;
  const warnings = [...layout.warnings];
  const fmtChunk = layout.chunks.find((c) => c.id === 'fmt ');
  if (!fmtChunk) throw new UserError(`truncated header (no 'fmt ' chunk)`);
  const fmt = parseFmt(buf.subarray(fmtChunk.start, fmtChunk.start + fmtChunk.size), le);
  if (fmt.channels < 1) throw new UserError('invalid header (0 channels)');
  if (!(fmt.sampleRate > 0)) throw new UserError('invalid header (sample rate 0)');
  const dataChunk = layout.chunks.find((c) => c.id === 'data');
  if (!dataChunk) throw new UserError(`truncated header (no 'data' chunk)`);
  const data = buf.subarray(dataChunk.start, dataChunk.start + dataChunk.size);
  const chs = decode(fmt, data, le);
  let frames = chs[0].length;
  // ADPCM pads its last block; the fact chunk says how many frames are real.
  const fact = layout.chunks.find((c) => c.id === 'fact' && c.size >= 4);
  if ((fmt.tag === 2 || fmt.tag === 0x11) && fact) {
    const n = le ? buf.readUInt32LE(fact.start) : buf.readUInt32BE(fact.start);
    if (n > 0 && n < frames) frames = n;
  }
  if ((fmt.tag === 1 || fmt.tag === 3) && fmt.blockAlign > 0 && data.length % fmt.blockAlign !== 0) {
    warnings.push(`data ends mid-frame (${data.length % fmt.blockAlign} stray bytes ignored)`);
  }
  if (frames === 0) throw new UserError('no audio (zero frames)');
  const samples = mixToMono(chs, frames, warnings);
  const info: AudioInfo = {
    file, container: layout.container, format: describe(fmt), sampleRate: fmt.sampleRate,
    channels: fmt.channels, frames, durationSec: frames / fmt.sampleRate,
  };
  return { samples, sampleRate: fmt.sampleRate, info, warnings };
}

/** Read a WAV file. Any problem is a UserError "<file>: <reason>" on one line. */
export function readWav(file: string): Audio {
  let buf: Buffer;
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) throw new UserError('is a folder, not a WAV file');
    buf = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : oneLine(err);
    throw new UserError(`${file}: ${reason}`);
  }
  try {
    return decodeWav(buf, file);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${file}: ${oneLine(err)}`);
    throw new UserError(`${file}: cannot decode (${oneLine(err)})`);
  }
}
