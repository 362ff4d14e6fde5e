/** Writing WAV files: 16-bit PCM (clipped, rounded) or 32-bit float; never overwrites without force. */
import { assertWritable, writeFileAtomic } from '../util/files';

export interface WriteOptions {
  /** Write IEEE float 32-bit instead of 16-bit PCM (exact, no clipping). */
  float?: boolean;
  /** Overwrite an existing file. */
  force?: boolean;
}

/** Encode mono samples as a canonical WAV file (44-byte header for PCM; fmt with cbSize and fact for float). */
export function encodeWav(samples: Float32Array, sampleRate: number, float = false): Buffer {
  if (!(sampleRate > 0) || !Number.isInteger(sampleRate)) throw new RangeError(`bad sample rate ${sampleRate}`);
  const bytes = float ? 4 : 2;
  const dataBytes = samples.length * bytes;
  const fmtBytes = float ? 18 : 16;
  const factBytes = float ? 12 : 0;
  const header = 12 + 8 + fmtBytes + factBytes + 8;
  const buf = Buffer.alloc(header + dataBytes + (dataBytes % 2));
  let at = 0;
  const str = (s: string) => { buf.write(s, at, 'latin1'); at += 4; };
  const u32 = (v: number) => { buf.writeUInt32LE(v, at); at += 4; };
  const u16 = (v: number) => { buf.writeUInt16LE(v, at); at += 2; };
  str('RIFF'); u32(buf.length - 8); str('WAVE');
  str('fmt '); u32(fmtBytes);
  u16(float ? 3 : 1); u16(1); u32(sampleRate); u32(sampleRate * bytes); u16(bytes); u16(8 * bytes);
  if (float) { u16(0); str('fact'); u32(4); u32(samples.length); }
  str('data'); u32(dataBytes);
  if (float) {
    for (let i = 0; i < samples.length; i++, at += 4) buf.writeFloatLE(samples[i], at);
  } else {
    for (let i = 0; i < samples.length; i++, at += 2) {
      const v = Math.round(samples[i] * 32768);
      // NaN → 0; everything else clipped to the 16-bit range.
      buf.writeInt16LE(v > 32767 ? 32767 : v < -32768 ? -32768 : v || 0, at);
    }
  }
  return buf;
}

export function writeWav(file: string, samples: Float32Array, sampleRate: number, opts: WriteOptions = {}): void {
  assertWritable(file, Boolean(opts.force));
  writeFileAtomic(file, encodeWav(samples, sampleRate, Boolean(opts.float)));
}
