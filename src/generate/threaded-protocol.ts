/** The shared-memory protocol between threaded.ts (main thread) and step-worker.ts (worker). */
import { NetShape, WeightMap } from './layout';
import { WasmModule } from './wasm-kernel';

// control words (Int32)
export const C_SEQ = 0; // command sequence number, bumped by the main thread
export const C_DONE = 1; // last sequence number the worker finished
export const C_CMD = 2;
export const C_ARG_STREAM = 3;
export const C_ARG_CODE = 4;
export const C_ERROR = 5; // 1 when the worker failed; the message is in the error bytes
export const CTL_WORDS = 16;
export const ERR_BYTES = 4096;

export const CMD_STEP = 1;
export const CMD_SET_STATE = 2;
export const CMD_EXIT = 3;

export interface WorkerInit {
  sab: SharedArrayBuffer;
  module: WasmModule;
  shape: NetShape;
  weights: WeightMap;
  streams: number;
  bins: number;
  initialCode: number;
  steady: Float32Array[];
  /** Polls of the sequence word before sleeping on it. */
  spin: number;
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
