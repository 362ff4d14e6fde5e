/**
 * Sample decoders for the WAV codecs binwave reads: integer PCM, IEEE float, G.711 A-law/µ-law, IMA and MS
 * ADPCM. Each returns one Float32Array per channel, scaled to [-1, 1) by the format's full scale (2^(bits-1)),
 * so a 16-bit file and its 24-bit twin decode to the same numbers.
 */

export type Channels = Float32Array[];

function alloc(channels: number, frames: number): Channels {
  return Array.from({ length: channels }, () => new Float32Array(frames));
}

/** Integer PCM of 1–4 bytes per sample (8-bit is unsigned, wider is signed two's complement). */
export function decodePcmInt(
  data: Buffer, channels: number, bytesPerSample: number, littleEndian: boolean,
): Channels {
  const frameBytes = channels * bytesPerSample;
  const frames = Math.floor(data.length / frameBytes);
  const out = alloc(channels, frames);
  // Samples are left-justified in their container, so full scale is the container's, not validBits'.
  const scale = 1 / 2 ** (8 * bytesPerSample - 1);
  for (let c = 0; c < channels; c++) {
    const o = out[c];
    let at = c * bytesPerSample;
    for (let f = 0; f < frames; f++, at += frameBytes) {
      let v: number;
      if (bytesPerSample === 1) v = data[at] - 128;
      else v = littleEndian ? data.readIntLE(at, bytesPerSample) : data.readIntBE(at, bytesPerSample);
      o[f] = v * scale;
    }
  }
  return out;
}

export function decodeFloat(data: Buffer, channels: number, bytesPerSample: 4 | 8, littleEndian: boolean): Channels {
  const frameBytes = channels * bytesPerSample;
  const frames = Math.floor(data.length / frameBytes);
  const out = alloc(channels, frames);
  for (let c = 0; c < channels; c++) {
    const o = out[c];
    let at = c * bytesPerSample;
    for (let f = 0; f < frames; f++, at += frameBytes) {
      if (bytesPerSample === 4) o[f] = littleEndian ? data.readFloatLE(at) : data.readFloatBE(at);
      else o[f] = littleEndian ? data.readDoubleLE(at) : data.readDoubleBE(at);
    }
  }
  return out;
}

/** ITU-T G.711 µ-law byte → 16-bit linear value. */
export function muLawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 7;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

/** ITU-T G.711 A-law byte → 16-bit linear value. */
export function aLawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 7;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

export function decodeG711(data: Buffer, channels: number, law: 'alaw' | 'mulaw'): Channels {
  const frames = Math.floor(data.length / channels);
  const out = alloc(channels, frames);
  const table = new Float32Array(256);
  for (let b = 0; b < 256; b++) table[b] = (law === 'alaw' ? aLawToLinear(b) : muLawToLinear(b)) / 32768;
  for (let c = 0; c < channels; c++) {
    const o = out[c];
    for (let f = 0, at = c; f < frames; f++, at += channels) o[f] = table[data[at]];
  }
  return out;
}

const IMA_INDEX = [-1, -1, -1, -1, 2, 4, 6, 8, -1, -1, -1, -1, 2, 4, 6, 8];
const IMA_STEP = [
  7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 21, 23, 25, 28, 31, 34, 37, 41, 45, 50, 55, 60, 66, 73, 80, 88, 97,
  107, 118, 130, 143, 157, 173, 190, 209, 230, 253, 279, 307, 337, 371, 408, 449, 494, 544, 598, 658, 724, 796,
  876, 963, 1060, 1166, 1282, 1411, 1552, 1707, 1878, 2066, 2272, 2499, 2749, 3024, 3327, 3660, 4026, 4428, 4871,
  5358, 5894, 6484, 7132, 7845, 8630, 9493, 10442, 11487, 12635, 13899, 15289, 16818, 18500, 20350, 22385, 24623,
  27086, 29794, 32767,
];

const clamp16 = (v: number) => (v > 32767 ? 32767 : v < -32768 ? -32768 : v);

/**
 * IMA/DVI ADPCM as Microsoft writes it (format 0x11): per block and channel a 4-byte header (first sample, step
 * index), then groups of 4 bytes (8 nibbles, low nibble first) per channel in turn. A short last block is decoded
 * as far as it goes.
 */
export function decodeImaAdpcm(data: Buffer, channels: number, blockAlign: number): Channels {
  const perBlock = ((blockAlign - 4 * channels) * 8) / (4 * channels) + 1;
  const blocks = Math.ceil(data.length / blockAlign);
  const out = alloc(channels, blocks * perBlock);
  let frames = 0;
  for (let b = 0; b < blocks; b++) {
    const base = b * blockAlign;
    const end = Math.min(data.length, base + blockAlign);
    if (end - base < 4 * channels) break;
    let blockFrames = 0;
    for (let c = 0; c < channels; c++) {
      const h = base + 4 * c;
      let pred = data.readInt16LE(h);
      let index = Math.min(88, data[h + 2]);
      const o = out[c];
      let n = frames;
      o[n++] = pred / 32768;
      for (let g = base + 4 * channels + 4 * c; g + 4 <= end; g += 4 * channels) {
        for (let k = 0; k < 8; k++) {
          const nib = (data[g + (k >> 1)] >> ((k & 1) * 4)) & 0x0f;
          const step = IMA_STEP[index];
          let diff = step >> 3;
          if (nib & 4) diff += step;
          if (nib & 2) diff += step >> 1;
          if (nib & 1) diff += step >> 2;
          pred = clamp16(nib & 8 ? pred - diff : pred + diff);
          index = Math.min(88, Math.max(0, index + IMA_INDEX[nib]));
          o[n++] = pred / 32768;
        }
      }
      blockFrames = Math.max(blockFrames, n - frames);
    }
    frames += blockFrames;
  }
  return out.map((o) => o.slice(0, frames));
}

const MS_ADAPT = [230, 230, 230, 230, 307, 409, 512, 614, 768, 614, 512, 409, 307, 230, 230, 230];

/**
 * Microsoft ADPCM (format 0x02): per block and channel a predictor index, a step `delta` and two seed samples
 * (sample 2 is played first), then nibbles high-first alternating between channels. Coefficients come from fmt.
 */
export function decodeMsAdpcm(
  data: Buffer, channels: number, blockAlign: number, coefs: [number, number][],
): Channels {
  const perBlock = ((blockAlign - 7 * channels) * 8) / (4 * channels) + 2;
  const blocks = Math.ceil(data.length / blockAlign);
  const out = alloc(channels, blocks * perBlock);
  let frames = 0;
  for (let b = 0; b < blocks; b++) {
    const base = b * blockAlign;
    const end = Math.min(data.length, base + blockAlign);
    if (end - base < 7 * channels) break;
    const c1: number[] = [];
    const c2: number[] = [];
    const delta: number[] = [];
    const s1: number[] = [];
    const s2: number[] = [];
    for (let c = 0; c < channels; c++) {
      const [a, bb] = coefs[Math.min(coefs.length - 1, data[base + c])];
      c1.push(a);
      c2.push(bb);
      delta.push(data.readInt16LE(base + channels + 2 * c));
      s1.push(data.readInt16LE(base + 3 * channels + 2 * c));
      s2.push(data.readInt16LE(base + 5 * channels + 2 * c));
      out[c][frames] = s2[c] / 32768;
      out[c][frames + 1] = s1[c] / 32768;
    }
    let n = 2 * channels; // nibbles emitted, counting the seed samples, across channels
    for (let at = base + 7 * channels; at < end; at++) {
      for (const shift of [4, 0]) {
        const c = n % channels;
        const f = frames + Math.floor(n / channels);
        const nib = (data[at] >> shift) & 0x0f;
        const signed = nib >= 8 ? nib - 16 : nib;
        const predicted = (s1[c] * c1[c] + s2[c] * c2[c]) >> 8;
        const v = clamp16(predicted + signed * delta[c]);
        s2[c] = s1[c];
        s1[c] = v;
        delta[c] = Math.max(16, (MS_ADAPT[nib] * delta[c]) >> 8);
        out[c][f] = v / 32768;
        n++;
      }
    }
    frames += Math.floor(n / channels);
  }
  return out.map((o) => o.slice(0, frames));
}
