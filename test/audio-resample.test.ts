import { resample, resampledLength } from '../src/audio/resample';

function tone(freq: number, rate: number, sec: number, amp = 0.5): Float32Array {
  const x = new Float32Array(Math.round(rate * sec));
  for (let i = 0; i < x.length; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return x;
}

/** RMS in dB over the middle of the signal (away from the filter's edge transients). */
function midRmsDb(x: Float32Array): number {
  const a = Math.floor(x.length * 0.2);
  const b = Math.floor(x.length * 0.8);
  let s = 0;
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return 10 * Math.log10(s / (b - a));
}

describe('resample', () => {
  test('7 kHz survives 48k → 16k within 0.5 dB', () => {
    const x = tone(7000, 48000, 1);
    const y = resample(x, 48000, 16000);
    expect(Math.abs(midRmsDb(y) - midRmsDb(x))).toBeLessThan(0.5);
  });

  test('10 kHz at 48k → 16k is attenuated by at least 40 dB (no alias at 6 kHz)', () => {
    const x = tone(10000, 48000, 1);
    const y = resample(x, 48000, 16000);
    expect(midRmsDb(x) - midRmsDb(y)).toBeGreaterThanOrEqual(40);
  });

  test('passband tones are preserved sample-accurately for several ratios', () => {
    const worst: Record<string, number> = {};
    for (const [from, to] of [[48000, 16000], [44100, 16000], [22050, 16000], [8000, 16000], [16000, 44100], [16000, 16001]]) {
      const f = 0.3 * Math.min(from, to);
      const y = resample(tone(f, from, 0.5), from, to);
      const ref = tone(f, to, 0.5);
      let err = 0;
      let sig = 0;
      for (let i = Math.floor(y.length * 0.2); i < Math.floor(y.length * 0.8); i++) {
        err += (y[i] - ref[i]) ** 2;
        sig += ref[i] ** 2;
      }
      worst[`${from}->${to}`] = 10 * Math.log10(sig / err);
    }
    for (const v of Object.values(worst)) expect(v).toBeGreaterThan(60);
  });

  test('identity when rates are equal; lengths cover the input duration', () => {
    const x = tone(440, 16000, 0.1);
    expect(resample(x, 16000, 16000)).toBe(x);
    expect(resample(new Float32Array(48000), 48000, 16000).length).toBe(16000);
    expect(resample(new Float32Array(44100), 44100, 16000).length).toBe(16000);
    expect(resample(new Float32Array(100), 8000, 16000).length).toBe(200);
    expect(resampledLength(1, 48000, 16000)).toBe(1);
    expect(resample(new Float32Array(0), 48000, 16000).length).toBe(0);
  });

  test('fast: 10 s at 44.1 kHz → 16 kHz well under a second', () => {
    const x = tone(1000, 44100, 10);
    const t0 = Date.now();
    resample(x, 44100, 16000);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
