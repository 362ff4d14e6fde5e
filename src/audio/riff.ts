/**
 * A small, forgiving RIFF/RIFX/RF64 chunk walker. It exists because real files break the rules that strict
 * readers rely on: odd-sized chunks without their pad byte, size fields left at 0 / 0x7ffff000 / 0xFFFFFFFF by
 * streaming writers, RF64's 64-bit sizes in a ds64 chunk, and data chunks cut short by a crash or a download.
 */
import { UserError } from '../util/errors';

export type Container = 'RIFF' | 'RIFX' | 'RF64';

export interface Chunk {
  id: string;
  /** Offset of the chunk's payload in the buffer. */
  start: number;
  /** Bytes of payload actually present (may be less than `declared` when the file is cut short). */
  size: number;
  /** Size the header declared (after RF64 / streaming fix-ups); NaN when the size field was a placeholder. */
  declared: number;
}

export interface RiffLayout {
  container: Container;
  littleEndian: boolean;
  chunks: Chunk[];
  warnings: string[];
  /** True when the data size field was a placeholder and the data was read to the end of the file. */
  streamed: boolean;
}

/** Size fields that streaming writers leave behind when they cannot seek back (sox, ffmpeg, arecord). */
const PLACEHOLDER_SIZES = new Set([0, 0xffffffff, 0x7ffff000, 0x7fffffff, 0x80000000]);

/** Name what a non-WAV file most likely is, so the error helps (people rename .ogg to .wav). */
export function sniffNonWav(buf: Buffer): string {
  const head4 = buf.subarray(0, 4).toString('latin1');
  const show = (s: string) => s.replace(/[^\x20-\x7e]/g, '.');
  if (head4 === 'OggS') return "not a WAV file (starts with 'OggS': an Ogg file named .wav)";
  if (head4 === 'fLaC') return "not a WAV file (starts with 'fLaC': a FLAC file named .wav)";
  if (buf.subarray(0, 3).toString('latin1') === 'ID3' || (buf[0] === 0xff && (buf[1] & 0xe0) === 0xe0)) {
    return 'not a WAV file (starts with an MPEG audio header: an MP3 file named .wav)';
  }
  if (head4 === 'FORM') return "not a WAV file (starts with 'FORM': an AIFF file named .wav)";
  const sample = buf.subarray(0, Math.min(buf.length, 512));
  let printable = 0;
  for (const b of sample) if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09) printable++;
  if (sample.length > 0 && printable / sample.length > 0.95) {
    return `not a WAV file (looks like text: '${show(sample.subarray(0, 16).toString('latin1'))}')`;
  }
  return `not a WAV file (starts with '${show(head4)}', expected 'RIFF')`;
}

function isChunkId(buf: Buffer, at: number): boolean {
  if (at + 4 > buf.length) return false;
  for (let i = 0; i < 4; i++) {
    const c = buf[at + i];
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Walk the chunks of a WAV file. Throws UserError (message without the file name) if it is not one. */
export function parseRiff(buf: Buffer): RiffLayout {
  if (buf.length === 0) throw new UserError('empty file (0 bytes)');
  const magic = buf.subarray(0, 4).toString('latin1');
  if (magic !== 'RIFF' && magic !== 'RIFX' && magic !== 'RF64' && magic !== 'BW64') {
    throw new UserError(sniffNonWav(buf));
  }
  if (buf.length < 12) throw new UserError(`truncated header (${buf.length} bytes)`);
  if (buf.subarray(8, 12).toString('latin1') !== 'WAVE') {
    throw new UserError(`not a WAV file (a ${magic} file of type '${buf.subarray(8, 12).toString('latin1')}')`);
  }
  const container: Container = magic === 'RIFX' ? 'RIFX' : magic === 'RIFF' ? 'RIFF' : 'RF64';
  const le = container !== 'RIFX';
  const u32 = (at: number) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const warnings: string[] = [];
  const chunks: Chunk[] = [];
  let ds64Data = NaN;
  let streamed = false;
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = buf.subarray(pos, pos + 4).toString('latin1');
    if (!isChunkId(buf, pos)) {
      warnings.push(`ignored ${buf.length - pos} unreadable trailing bytes at offset ${pos}`);
      break;
    }
    let declared = u32(pos + 4);
    const start = pos + 8;
    const available = buf.length - start;
    if (id === 'ds64' && available >= 16) {
      // RF64: the real 64-bit RIFF and data sizes live here; the 32-bit fields say 0xFFFFFFFF.
      const lo = buf.readUInt32LE(start + 8);
      const hi = buf.readUInt32LE(start + 12);
      ds64Data = hi * 2 ** 32 + lo;
    }
    if (id === 'data') {
      if (container === 'RF64' && declared === 0xffffffff && Number.isFinite(ds64Data)) declared = ds64Data;
      else if (PLACEHOLDER_SIZES.has(declared) && (declared > available || (declared === 0 && available > 0 && !isChunkId(buf, start)))) {
        // A streaming writer never came back to fill in the size: the data runs to the end of the file.
        streamed = true;
        chunks.push({ id, start, size: available, declared: NaN });
        break;
      }
    }
    const size = Math.min(declared, available);
    if (declared > available) {
      warnings.push(`'${id}' chunk truncated: header says ${declared} bytes, file has ${available}`);
      chunks.push({ id, start, size, declared });
      break;
    }
    chunks.push({ id, start, size, declared });
    let next = start + declared;
    // Odd sizes are followed by a pad byte, but some writers forget it: trust whichever lands on a chunk id.
    if (declared % 2 === 1 && next < buf.length) {
      if (isChunkId(buf, next + 1) || !isChunkId(buf, next)) next += 1;
    }
    pos = next;
  }
  return { container, littleEndian: le, chunks, warnings, streamed };
}
