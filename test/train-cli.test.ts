/**
 * `binwave train` as a user runs it: a real process on the built CLI (npm test builds first), killed with
 * SIGKILL in the middle of a run and resumed, on a folder that holds broken files too.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readWav, writeWav } from '../src/audio';
import { tmpDir } from './helpers';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const ODD = path.join(__dirname, 'fixtures', 'odd');

const work = tmpDir('train-cli');
const data = path.join(work, 'data');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  fs.mkdirSync(path.join(data, 'sub'), { recursive: true });
  const speech = readWav(path.join(ROOT, 'data', 'speech16k_codec2_a.wav')).samples;
  writeWav(path.join(data, 'a.wav'), speech.subarray(0, 16000), 16000);
  writeWav(path.join(data, 'sub', 'B.WAV'), speech.subarray(16000, 32000), 16000);
  writeWav(path.join(data, 'c.wav'), speech.subarray(32000, 48000), 16000);
  fs.copyFileSync(path.join(ODD, 'flac_named.wav'), path.join(data, 'flac_named.wav'));
  fs.copyFileSync(path.join(ODD, 'truncated_header.wav'), path.join(data, 'sub', 'truncated_header.wav'));
});

const ARGS = ['train', '--data', data, '--preset', 'tiny', '--steps', '14', '--batch', '2', '--target-length', '256',
  '--checkpoint-every', '3', '--val-every', '5', '--warmup', '2', '--lr', '3e-3', '--seed', '7', '--backend', 'wasm'];

function losses(dir: string): { step: number; loss_nats: number }[] {
  return fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

test('trains on the good files of a folder with broken ones, reporting each broken one', () => {
  const out = path.join(work, 'full');
  const r = spawnSync(process.execPath, [CLI, ...ARGS, '--out', out], { encoding: 'utf8' });
  expect(r.stderr).toMatch(/skipped .*flac_named\.wav: not a WAV file/);
  expect(r.stderr).toMatch(/skipped .*truncated_header\.wav: /);
  expect(r.stderr).toMatch(/data: 2 training files .* 1 validation files/);
  expect(r.stderr).toMatch(/baselines: log2 Q = 8\.000 bits\/sample/);
  expect(r.status).toBe(0);
  expect(losses(out).map((m) => m.step)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
});

test('kill -9 mid-run, then --resume: the loss curve continues as if never interrupted', async () => {
  const full = losses(path.join(work, 'full'));
  const out = path.join(work, 'killed');
  const child = spawn(process.execPath, [CLI, ...ARGS, '--out', out], { stdio: 'ignore' });
  const metrics = path.join(out, 'metrics.jsonl');
  // wait until step 8 is logged (two checkpoints are behind it), then kill without warning
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      const n = fs.existsSync(metrics) ? fs.readFileSync(metrics, 'utf8').split('\n').filter(Boolean).length : 0;
      if (n >= 8) {
        clearInterval(timer);
        child.kill('SIGKILL');
        resolve();
      }
    }, 20);
    child.on('exit', () => {
      clearInterval(timer);
      reject(new Error('training finished before it could be killed'));
    });
  });
  await new Promise((r) => child.on('exit', r));
  const before = losses(out).length;
  expect(before).toBeGreaterThanOrEqual(8);
  expect(before).toBeLessThan(14);

  const r = spawnSync(process.execPath, [CLI, ...ARGS, '--out', out, '--resume'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/resumed from .*step-00000(06|09|12) at step (6|9|12)/);
  const resumed = losses(out);
  expect(resumed.map((m) => m.step)).toEqual(full.map((m) => m.step));
  const worst = Math.max(...resumed.map((m, i) => Math.abs(m.loss_nats - full[i].loss_nats)));
  expect(worst).toBeLessThan(1e-5);
});

test('refuses to start over in a model directory without --force, and explains --resume', () => {
  const r = spawnSync(process.execPath, [CLI, ...ARGS, '--out', path.join(work, 'full')], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr.trim()).toMatch(/^binwave: .*full: already holds a model \(use --resume to continue it, or --force to start over\)$/);
});

test('Ctrl-C (SIGINT) saves a checkpoint at the step reached and exits cleanly', async () => {
  const out = path.join(work, 'interrupted');
  const child = spawn(process.execPath, [CLI, ...ARGS.map((a) => (a === '14' ? '1000' : a)), '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += String(d); });
  const metrics = path.join(out, 'metrics.jsonl');
  const timer = setInterval(() => {
    if (fs.existsSync(metrics) && fs.readFileSync(metrics, 'utf8').split('\n').filter(Boolean).length >= 4) {
      clearInterval(timer);
      child.kill('SIGINT');
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(timer);
  expect(code).toBe(0);
  expect(stderr).toMatch(/stopping after this step and saving a checkpoint/);
  const logged = losses(out).length;
  expect(stderr).toMatch(new RegExp(`saved .* at step ${logged} \\(interrupted\\)`));
  expect(JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')).binwave.step).toBe(logged);
});
