/** The shared-memory protocol between threaded.ts (main thread) and step-worker.ts (worker). */
import type { MessagePort } from 'worker_threads';
import { QuantizerConfig } from '../quantize/quantizer';
import { SamplerConfig } from '../sample/sampler';
import { RngState } from '../util/rng';
import { NetShape, WeightMap } from './layout';
import { WasmModule } from './wasm-kernel';

// control words (Int32)
export const C_SEQ = 0; // command sequence number, bumped by the main thread
export const C_DONE = 1; // last sequence number the worker finished
export const C_CMD = 2;
export const C_ARG_STREAM = 3;
export const C_ARG_CODE = 4;
export const C_ERROR = 5; // 1 when the worker failed; the message is in the error bytes
export const C_PROGRESS = 6; // samples per stream done by a running CMD_RUN
export const CTL_WORDS = 16;
export const ERR_BYTES = 4096;

export const CMD_STEP = 1;
export const CMD_SET_STATE = 2;
export const CMD_EXIT = 3;
export const CMD_RUN = 4; // generate the worker's streams end to end: a RunJob on the port, a RunResult back

/** generate() with one sampler per stream, on the worker's streams (numbered from 0 there). */
export interface RunJob {
  n: number;
  /** The generator's quantizer (seed codes are decoded with it). */
  quantizer: QuantizerConfig;
  seeds: Int32Array[];
  samplers: { config: SamplerConfig; quantizer: QuantizerConfig; rng: RngState }[];
}

export interface RunResult {
  codes: Int32Array[];
  values: Float32Array[];
  /** Each sampler's RNG state afterwards, so that the caller's samplers continue where the worker's stopped. */
  rngs: RngState[];
}

export interface WorkerInit {
  sab: SharedArrayBuffer;
  module: WasmModule;
  shape: NetShape;
  weights: WeightMap;
  streams: number;
  bins: number;
  initialCode: number;
  steady: Float32Array[];
  /** Jobs (RunJob) arrive and results (RunResult) leave here, read synchronously with receiveMessageOnPort. */
  port: MessagePort;
  /** Microseconds to poll the sequence word before sleeping on it (see spinUntilChanged). */
  spinMicros: number;
}

export function sharedBytes(streams: number, bins: number): number {
  return 4 * (CTL_WORDS + streams + streams * bins) + ERR_BYTES;
}

export function sharedViews(sab: SharedArrayBuffer, streams: number, bins: number) {
  const ctl = new Int32Array(sab, 0, CTL_WORDS);
  const codes = new Int32Array(sab, 4 * CTL_WORDS, streams);
  const logits = new Float32Array(sab, 4 * (CTL_WORDS + streams), streams * bins);
  const err = new Uint8Array(sab, 4 * (CTL_WORDS + streams + streams * bins), ERR_BYTES);
  return { ctl, codes, logits, err };
}

/**
 * Poll ctl[idx] for up to `micros` µs while it equals `old`; returns the last value read (still `old` when
 * the time ran out: the caller then sleeps with Atomics.wait). Spinning matters: waking a thread from
 * Atomics.wait costs tens of µs on this VM, a large part of a 150 µs step, while a poll costs about 10 ns.
 */
export function spinUntilChanged(ctl: Int32Array, idx: number, old: number, micros: number): number {
  let v = Atomics.load(ctl, idx);
  if (v !== old || micros <= 0) return v;
  const end = performance.now() + micros / 1000;
  for (;;) {
    for (let i = 0; i < 256; i++) {
      v = Atomics.load(ctl, idx);
      if (v !== old) return v;
    }
    if (performance.now() > end) return v;
  }
}
