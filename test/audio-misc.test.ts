import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadAudio, peakNormalize, readAll, readWav, scanWavFolder, trimSilence, writeWav } from '../src/audio';
import { peak } from '../src/eval/metrics';

const ODD = path.join(__dirname, 'fixtures', 'odd');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'binwave-audio-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function burst(rate: number, silentStart: number, loud: number, silentEnd: number): Float32Array {
  const x = new Float32Array(Math.round(rate * (silentStart + loud + silentEnd)));
  const a = Math.round(rate * silentStart);
  const b = a + Math.round(rate * loud);
  for (let i = 0; i < x.length; i++) x[i] = i >= a && i < b ? 0.5 * Math.sin(i / 5) : 1e-4 * Math.sin(i / 3);
  return x;
}

describe('trimSilence', () => {
  test('reports what it removed', () => {
    const t = trimSilence(burst(16000, 0.5, 1, 0.3), 16000, -40, { padSec: 0 });
    expect(t.allSilent).toBe(false);
    expect(t.removedStartSec).toBeCloseTo(0.5, 2);
    expect(t.removedEndSec).toBeCloseTo(0.3, 1);
    expect(t.samples.length / 16000).toBeCloseTo(1, 1);
  });
  test('pads around the loud part by default', () => {
    const t = trimSilence(burst(16000, 0.5, 1, 0.3), 16000, -40);
    expect(t.removedStartSec).toBeCloseTo(0.48, 2);
  });
  test('flags all-silent input and keeps it whole', () => {
    const x = new Float32Array(16000).fill(1e-4);
    const t = trimSilence(x, 16000, -40);
    expect(t).toEqual({ samples: x, removedStartSec: 0, removedEndSec: 0, allSilent: true });
    expect(trimSilence(readWav(path.join(ODD, 'silence_1s_16000.wav')).samples, 16000, -40).allSilent).toBe(true);
  });
});

describe('peakNormalize', () => {
  test('sets the peak to the target and leaves silence alone', () => {
    const { samples, gain } = peakNormalize(Float32Array.from([0.1, -0.25, 0.2]), -6);
    expect(peak(samples)).toBeCloseTo(10 ** (-6 / 20), 5);
    expect(gain).toBeCloseTo(10 ** (-6 / 20) / 0.25, 5);
    expect(peakNormalize(new Float32Array(4)).gain).toBe(1);
  });
});

describe('writeWav → readWav', () => {
  const x = new Float32Array(4000);
  for (let i = 0; i < x.length; i++) x[i] = 0.9 * Math.sin(i / 7) * Math.cos(i / 311);
  x[0] = 1.5; // clipped
  x[1] = -2;
  x[2] = NaN;

  test('16-bit within 1 LSB (clipped to full scale)', () => {
    const f = path.join(tmp, 'a16.wav');
    writeWav(f, x, 16000);
    const a = readWav(f);
    expect(a.info).toMatchObject({ format: 'PCM 16-bit', sampleRate: 16000, channels: 1, frames: 4000 });
    let worst = 0;
    for (let i = 3; i < x.length; i++) worst = Math.max(worst, Math.abs(a.samples[i] - x[i]));
    expect(worst).toBeLessThanOrEqual(1 / 32768);
    expect(Array.from(a.samples.subarray(0, 3))).toEqual([32767 / 32768, -1, 0]);
  });

  test('float32 exact', () => {
    const f = path.join(tmp, 'af.wav');
    const y = x.slice(3);
    writeWav(f, y, 22050, { float: true });
    const a = readWav(f);
    expect(a.info).toMatchObject({ format: 'IEEE float 32-bit', sampleRate: 22050, frames: y.length });
    expect(a.samples).toEqual(y);
  });

  test('refuses to overwrite without force', () => {
    const f = path.join(tmp, 'b.wav');
    writeWav(f, x, 16000);
    expect(() => writeWav(f, x, 8000)).toThrow(/already exists \(use --force/);
    writeWav(f, x, 8000, { force: true });
    expect(readWav(f).sampleRate).toBe(8000);
    expect(fs.readdirSync(tmp).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('scanWavFolder / readAll', () => {
  test('recursive, any-case .wav, sorted; broken files become problems and the scan continues', () => {
    const d = path.join(tmp, 'tree');
    fs.mkdirSync(path.join(d, 'b', 'c'), { recursive: true });
    fs.copyFileSync(path.join(ODD, 'pcm16_mono_16000.wav'), path.join(d, 'b', 'c', 'Z.WAV'));
    fs.copyFileSync(path.join(ODD, 'empty.wav'), path.join(d, 'b', 'empty.wav'));
    fs.copyFileSync(path.join(ODD, 'alaw_mono_8000.wav'), path.join(d, 'a.wav'));
    fs.writeFileSync(path.join(d, 'notes.txt'), 'hi');
    const scan = scanWavFolder(d);
    expect(scan.files.map((f) => path.relative(d, f))).toEqual(['a.wav', path.join('b', 'c', 'Z.WAV'), path.join('b', 'empty.wav')]);
    expect(scan.problems).toEqual([]);
    const r = readAll(scan.files, readWav);
    expect(r.items.map((i) => path.basename(i.file))).toEqual(['a.wav', 'Z.WAV']);
    expect(r.problems).toEqual([{ file: path.join(d, 'b', 'empty.wav'), reason: 'empty file (0 bytes)' }]);
    expect(() => readAll(scan.files, readWav, { strict: true })).toThrow(/empty\.wav: empty file/);
  });

  test('a single file is accepted; the whole odd/ folder scans with 8 problems', () => {
    expect(scanWavFolder(path.join(ODD, 'one_sample.wav')).files).toEqual([path.join(ODD, 'one_sample.wav')]);
    const r = readAll(scanWavFolder(ODD).files, readWav);
    expect([r.items.length, r.problems.length]).toEqual([23, 8]);
    expect(() => scanWavFolder(path.join(tmp, 'missing'))).toThrow(/no such file or folder/);
  });

  test('an unreadable subfolder is a problem, not a crash', () => {
    const d = path.join(tmp, 'locked');
    fs.mkdirSync(path.join(d, 'secret'), { recursive: true });
    fs.copyFileSync(path.join(ODD, 'pcm16_mono_16000.wav'), path.join(d, 'ok.wav'));
    fs.chmodSync(path.join(d, 'secret'), 0o000);
    // chmod does not stop root (as in many CI containers): simulate the EACCES there.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeFs: typeof fs = require('fs'); // the module object itself: `import * as` gives a frozen view
    const real = nodeFs.readdirSync;
    const spy = jest.spyOn(nodeFs, 'readdirSync').mockImplementation(((p: fs.PathLike, o?: unknown) => {
      if (String(p) === path.join(d, 'secret')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      return (real as (p: fs.PathLike, o?: unknown) => unknown)(p, o);
    }) as typeof fs.readdirSync);
    try {
      const scan = scanWavFolder(d);
      expect(scan.files).toEqual([path.join(d, 'ok.wav')]);
      expect(scan.problems).toEqual([{ file: path.join(d, 'secret'), reason: 'folder not readable (permission denied)' }]);
    } finally {
      spy.mockRestore();
      fs.chmodSync(path.join(d, 'secret'), 0o755);
    }
  });
});

describe('loadAudio', () => {
  test('mono, resampled, normalised, trimmed, with warnings collected', () => {
    const { audio, trimmed } = loadAudio(path.join(ODD, 'pcm24_stereo_48000_extensible.wav'), { sampleRate: 16000, normalize: true, trimDb: -40 });
    expect(audio.sampleRate).toBe(16000);
    expect(audio.info.sampleRate).toBe(48000);
    expect(peak(audio.samples)).toBeCloseTo(10 ** (-1 / 20), 4);
    expect(trimmed?.allSilent).toBe(false);
    expect(audio.samples.length).toBeLessThanOrEqual(48000);
    const s = loadAudio(path.join(ODD, 'silence_1s_16000.wav'), { trimDb: -40 });
    expect(s.trimmed?.allSilent).toBe(true);
    expect(s.audio.warnings).toEqual(['all audio is below -40 dBFS; nothing trimmed']);
    expect(loadAudio(path.join(ODD, 'truncated_in_data.wav')).audio.warnings[0]).toMatch(/truncated/);
  });
});
