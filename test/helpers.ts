/** Shared test set-up: every tfjs test runs on the default backend of this machine (wasm). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { selectBackend } from '../src/backend';
import { ModelConfig, presetConfig } from '../src/model/config';
import { main } from '../src/cli';

export async function useWasm(): Promise<void> {
  await selectBackend('wasm');
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `binwave-${prefix}-`));
}

/** A model small enough for finite differences and exhaustive checks. */
export function microConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return presetConfig('tiny', {
    stacks: 2, layersPerStack: 3, residualChannels: 4, dilationChannels: 3, skipChannels: 5, headChannels: 6,
    quantizer: { bins: 16, mu: 15, companding: 'mulaw' }, ...overrides,
  });
}

/** Run the CLI in-process, capturing what it writes and the exit code it sets. */
export async function runCli(...argv: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
  process.exitCode = 0;
  try {
    await main(argv);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}
