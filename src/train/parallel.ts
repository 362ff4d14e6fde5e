/**
 * Data-parallel gradients over worker_threads, each with its own TensorFlow.js backend (wasm runs one thread per
 * instance, so two workers use two cores). Each step, every micro-batch's windows are split into contiguous
 * shares, one per worker; a worker returns the sum of its per-window gradients, and the pool adds the workers'
 * sums in a fixed order and divides by the window count: the mean gradient of the whole step, as one process
 * computes it (up to float rounding), and deterministic.
 *
 * Workers are started with util/worker-script (compiled worker.js from dist/, worker.ts from sources).
 */
import * as os from 'os';
import { Worker } from 'worker_threads';
import * as tf from '@tensorflow/tfjs';
import { BackendChoice } from '../backend';
import { ModelConfig } from '../model/config';
import { concatArrays } from '../util/arrays';
import { startWorker } from '../util/worker-script';
import type { InitMessage, StepMessage, WorkerReply, StepReply } from './worker';

/** The default worker count: 2 on a wasm backend with at least two cores, else 1. */
export function defaultWorkers(): number {
  return os.cpus().length >= 2 && tf.getBackend() === 'wasm' ? 2 : 1;
}

function backendChoice(): BackendChoice {
  const b = tf.getBackend();
  return b === 'wasm' || b === 'cpu' || b === 'tensorflow' ? b : 'auto';
}

class GradWorker {
  private readonly w: Worker;
  private pending: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | null = null;
  private dead: Error | null = null;

  constructor() {
    this.w = startWorker(__dirname, 'worker');
    this.w.on('message', (r: WorkerReply) => {
      const p = this.pending;
      this.pending = null;
      if (!p) return;
      if (r.type === 'error') p.reject(new Error(`gradient worker: ${r.message}`));
      else p.resolve(r);
    });
    const fail = (e: Error) => {
      this.dead = e;
      const p = this.pending;
      this.pending = null;
      p?.reject(e);
    };
    this.w.on('error', fail);
    this.w.on('exit', (code) => {
      if (code !== 0) fail(new Error(`gradient worker exited with code ${code}`));
    });
  }

  request(msg: InitMessage | StepMessage, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.pending) return Promise.reject(new Error('gradient worker is busy'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.w.postMessage(msg, transfer);
    });
  }

  async terminate(): Promise<void> {
    await this.w.terminate();
  }
}

export interface PoolStep {
  /** Mean gradient over all windows, flat in weightShapes order. */
  grads: Float32Array;
  /** Mean loss (nats) over all windows. */
  lossNats: number;
  /** Largest wasm heap among the workers (bytes). */
  maxHeapBytes: number;
  heapBytes: number[];
}

/** Split n into k contiguous shares, sizes differing by at most one, the larger first. */
export function shares(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, j) => Math.floor(n / k) + (j < n % k ? 1 : 0));
}

export class GradientPool {
  private constructor(private readonly workers: GradWorker[]) {}

  get size(): number {
    return this.workers.length;
  }

  static async start(config: ModelConfig, n: number): Promise<GradientPool> {
    const workers = Array.from({ length: n }, () => new GradWorker());
    const pool = new GradientPool(workers);
    try {
      await Promise.all(workers.map((w) => w.request({ type: 'init', config, backend: backendChoice() })));
    } catch (err) {
      await pool.dispose();
      throw err;
    }
    return pool;
  }

  /**
   * Gradients of one step: `microBatches` are the step's micro-batches (each [batch × W], row-major, as
   * Dataset.nextBatch returns them); each is split into one contiguous share per worker.
   */
  async step(weights: Float32Array, microBatches: Int32Array[], windowLength: number): Promise<PoolStep> {
    const W = windowLength;
    const k = this.workers.length;
    const parts: { rows: Int32Array[]; chunks: number[] }[] = this.workers.map(() => ({ rows: [], chunks: [] }));
    let total = 0;
    for (const mb of microBatches) {
      const B = mb.length / W;
      total += B;
      let row = 0;
      shares(B, k).forEach((count, j) => {
        if (count > 0) {
          parts[j].rows.push(mb.subarray(row * W, (row + count) * W));
          parts[j].chunks.push(count);
        }
        row += count;
      });
    }
    const replies = await Promise.all(this.workers.map((w, j) => {
      const p = parts[j];
      if (p.chunks.length === 0) return Promise.resolve(null);
      const windows = concatArrays(p.rows, (n) => new Int32Array(n));
      const wcopy = Float32Array.from(weights);
      return w.request({ type: 'step', weights: wcopy, windows, windowLength: W, chunks: p.chunks }, [wcopy.buffer as ArrayBuffer, windows.buffer as ArrayBuffer]);
    }));
    const grads = new Float32Array(weights.length);
    let lossSum = 0;
    const heapBytes: number[] = [];
    for (const r of replies) {
      if (!r) continue;
      const s = r as StepReply;
      for (let i = 0; i < grads.length; i++) grads[i] += s.grads[i];
      lossSum += s.lossSum;
      heapBytes.push(s.heapBytes);
    }
    for (let i = 0; i < grads.length; i++) grads[i] /= total;
    return { grads, lossNats: lossSum / total, maxHeapBytes: Math.max(0, ...heapBytes), heapBytes };
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
