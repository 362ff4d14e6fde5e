/**
 * A pure in-memory WAV encoder (16-bit PCM, mono) for embedding audio in reports. It only makes bytes; writing
 * files belongs to src/audio/. Named and kept dependency-free so that the two can later share it.
 */

/**
 * Encode mono samples in [-1, 1] as a 16-bit PCM RIFF/WAVE file. Samples are clipped to [-1, 1], scaled by
 * 32767 and rounded (half away from zero); non-finite samples become 0.
 */
export function encodeWav16(samples: ArrayLike<number>, sampleRate: number): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 0x7fffffff) {
    throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`);
  }
  const n = samples.length;
  const dataBytes = n * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < n; i++) {
    const s = samples[i];
    const v = Number.isFinite(s) ? Math.max(-1, Math.min(1, s)) : 0;
    // Round half away from zero, so that x and -x encode symmetrically.
    buf.writeInt16LE(v < 0 ? -Math.round(-v * 32767) : Math.round(v * 32767), 44 + 2 * i);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
