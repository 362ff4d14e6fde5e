/**
 * A gradient worker (a worker_threads thread with its own TensorFlow.js and wasm backend). It holds a replica of
 * the model; each step the main thread sends the current weights and this worker's windows, and it answers with
 * the sum over its windows of the per-window loss gradient (count × mean over each chunk) and of the loss. The
 * optimizer, the data RNG and checkpoints stay in the main thread.
 */
import { parentPort } from 'worker_threads';
import * as tf from '@tensorflow/tfjs';
import { BackendChoice, selectBackend } from '../backend';
import { ModelConfig, shapeSize, weightShapes } from '../model/config';
import { WaveNet, WeightArrays } from '../model/wavenet';
import { splitArray } from '../util/arrays';

export interface InitMessage {
  type: 'init';
  config: ModelConfig;
  backend: BackendChoice;
}

export interface StepMessage {
  type: 'step';
  /** All weights, flat, in weightShapes order. */
  weights: Float32Array;
  /** This worker's windows, row-major [n × windowLength], processed in chunks of the given sizes. */
  windows: Int32Array;
  windowLength: number;
  chunks: number[];
}

export interface StepReply {
  type: 'step';
  /** Σ over chunks of count × mean gradient, flat in weightShapes order. */
  grads: Float32Array;
  /** Σ over chunks of count × mean loss (nats). */
  lossSum: number;
  /** Bytes the wasm heap (or tfjs) holds at its largest so far, for memory reports. */
  heapBytes: number;
}

export type WorkerReply = { type: 'ready' } | StepReply | { type: 'error'; message: string; stack?: string };

/** Split a flat array into named weights of the config. */
export function unflatten(config: ModelConfig, flat: Float32Array): WeightArrays {
  const shapes = weightShapes(config);
  const parts = splitArray(flat, shapes.map(([, shape]) => shapeSize(shape)));
  return new Map(shapes.map(([name], i) => [name, parts[i]]));
}

function heapBytes(): number {
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.byteLength ?? tf.memory().numBytes;
}

let model: WaveNet | null = null;

async function handle(msg: InitMessage | StepMessage): Promise<WorkerReply> {
  if (msg.type === 'init') {
    await selectBackend(msg.backend);
    const zeros: WeightArrays = new Map(weightShapes(msg.config).map(([n, s]) => [n, new Float32Array(shapeSize(s))]));
    model = new WaveNet(msg.config, zeros);
    return { type: 'ready' };
  }
  if (!model) throw new Error('worker: step before init');
  model.setWeights(unflatten(model.config, msg.weights));
  const vars = [...model.variables.values()];
  const acc = new Float32Array(msg.weights.length);
  let lossSum = 0;
  let row = 0;
  const W = msg.windowLength;
  for (const count of msg.chunks) {
    const windows = tf.tensor2d(msg.windows.subarray(row * W, (row + count) * W), [count, W], 'int32');
    row += count;
    const { value, grads } = tf.variableGrads(() => model!.loss(windows), vars);
    lossSum += count * (await value.data())[0];
    let o = 0;
    for (const v of vars) {
      const g = grads[v.name].dataSync();
      for (let i = 0; i < g.length; i++) acc[o + i] += count * g[i];
      o += g.length;
    }
    Object.values(grads).forEach((t) => t.dispose());
    value.dispose();
    windows.dispose();
  }
  return { type: 'step', grads: acc, lossSum, heapBytes: heapBytes() };
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (msg: InitMessage | StepMessage) => {
    handle(msg).then(
      (reply) => port.postMessage(reply, reply.type === 'step' ? [reply.grads.buffer as ArrayBuffer] : []),
      (err: Error) => port.postMessage({ type: 'error', message: err?.message ?? String(err), stack: err?.stack }),
    );
  });
}
