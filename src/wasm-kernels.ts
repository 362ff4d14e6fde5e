/**
 * Replacements for wasm backend kernels that cost a training step more than they should (measured: see the
 * comment on each). They keep the kernels' semantics exactly; test/backend-kernels.test.ts checks them against
 * plain references. Installed by selectBackend when it takes the wasm backend.
 */
import * as tf from '@tensorflow/tfjs';

export function installWasmKernels(): void {
  shareIdentityOnWasm();
  fastSliceAndConcatOnWasm();
}

/**
 * tfjs saves every tensor a gradient needs through the Identity kernel (engine.clone), and wasm's Identity copies
 * the data: a training step spent about 10% of its time and a large share of its memory on those copies. Tensors
 * are immutable (a variable's assign swaps its data id), so sharing the data id, as wasm's own Reshape does, is
 * safe. Only engine.clone and tensor.clone reach the registered kernel; wasm kernels that copy internally call
 * their own identity function.
 */
function shareIdentityOnWasm(): void {
  const kernel = tf.getKernel('Identity', 'wasm');
  if (!kernel || (kernel.kernelFunc as { shares?: boolean }).shares) return;
  const kernelFunc = ((args: { inputs: { x: tf.TensorInfo }; backend: { incRef(id: object): void } }) => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return (kernel.kernelFunc as (a: unknown) => tf.TensorInfo)(args);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }) as unknown as tf.KernelFunc;
  (kernelFunc as { shares?: boolean }).shares = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc });
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Copy n elements; a plain loop for short runs (subarray + set allocates a view per call). */
function copyRun(src: ArrayLike<number>, from: number, dst: Float32Array | Int32Array | Uint8Array, to: number, n: number): void {
  if (n >= 256) (dst as Float32Array).set((src as Float32Array).subarray(from, from + n), to);
  else for (let k = 0; k < n; k++) dst[to + k] = src[from + k];
}

/**
 * Row-wise concat of float32 blocks (out row b = input rows b side by side), in a function of its own so that its
 * loops see one element type; runs of even length at 8-byte aligned offsets are copied as float64 pairs.
 */
function concatRowsF32(views: Float32Array[], inner: number[], outer: number, rowLen: number, ov: Float32Array): void {
  let col = 0;
  for (let i = 0; i < views.length; i++) {
    const v = views[i];
    const n = inner[i];
    if (n >= 256) {
      for (let b = 0, from = 0, to = col; b < outer; b++, from += n, to += rowLen) ov.set(v.subarray(from, from + n), to);
    } else if (n % 2 === 0 && rowLen % 2 === 0 && col % 2 === 0 && v.byteOffset % 8 === 0 && ov.byteOffset % 8 === 0) {
      const s = new Float64Array(v.buffer, v.byteOffset, v.length >> 1);
      const d = new Float64Array(ov.buffer, ov.byteOffset, ov.length >> 1);
      const n2 = n >> 1;
      const r2 = rowLen >> 1;
      for (let b = 0, from = 0, to = col >> 1; b < outer; b++, from += n2, to += r2) {
        for (let k = 0; k < n2; k++) d[to + k] = s[from + k];
      }
    } else {
      for (let b = 0, from = 0, to = col; b < outer; b++, from += n, to += rowLen) {
        for (let k = 0; k < n; k++) ov[to + k] = v[from + k];
      }
    }
    col += n;
  }
}

/**
 * wasm's Slice reads its whole input through readSync (a copy of the tensor) and then copies one innermost row
 * at a time; its Concat copies one innermost run at a time through subarray views. The model slices [B,T,C]
 * along time and concatenates along channels on every layer, so these replacements read the heap in place and
 * copy the longest contiguous runs (whole trailing blocks), with plain loops for short runs. Strings fall back
 * to the original kernels.
 */
function fastSliceAndConcatOnWasm(): void {
  const slice = tf.getKernel('Slice', 'wasm');
  const concat = tf.getKernel('Concat', 'wasm');
  if (!slice || !concat || (slice.kernelFunc as { fast?: boolean }).fast) return;
  const origSlice = slice.kernelFunc as (a: unknown) => tf.TensorInfo;
  const origConcat = concat.kernelFunc as (a: unknown) => tf.TensorInfo;

  const sliceFunc = ((args: { inputs: { x: tf.TensorInfo }; attrs: { begin: number[]; size: number[] }; backend: WasmBackendLike }) => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return origSlice(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, args.attrs.begin, args.attrs.size);
    const out = args.backend.makeOutput(size, x.dtype);
    const total = size.reduce((p, q) => p * q, 1);
    if (total === 0) return out;
    // views after makeOutput (it may grow the heap and detach older views)
    const xv = args.backend.typedArrayFromHeap(x);
    const ov = args.backend.typedArrayFromHeap(out);
    const rank = x.shape.length;
    const stride = new Array<number>(rank);
    stride[rank - 1] = 1;
    for (let k = rank - 2; k >= 0; k--) stride[k] = stride[k + 1] * x.shape[k + 1];
    // innermost axis that is not taken whole: everything inside it is one contiguous run
    let a = rank - 1;
    while (a > 0 && begin[a] === 0 && size[a] === x.shape[a]) a--;
    const run = size[a] * stride[a];
    const idx = new Array<number>(a).fill(0);
    let o = 0;
    for (;;) {
      let off = begin[a] * stride[a];
      for (let k = 0; k < a; k++) off += (begin[k] + idx[k]) * stride[k];
      copyRun(xv, off, ov, o, run);
      o += run;
      let k = a - 1;
      while (k >= 0 && ++idx[k] === size[k]) idx[k--] = 0;
      if (k < 0) break;
    }
    return out;
  }) as unknown as tf.KernelFunc;
  (sliceFunc as { fast?: boolean }).fast = true;

  const concatFunc = ((args: { inputs: tf.TensorInfo[]; attrs: { axis: number | number[] }; backend: WasmBackendLike }) => {
    const inputs = args.inputs.filter((t) => t.shape.reduce((p, q) => p * q, 1) > 0);
    if (inputs.length < 2 || inputs[0].dtype === 'string') return origConcat(args);
    const axis = tf.util.parseAxisParam(args.attrs.axis, args.inputs[0].shape)[0];
    const outShape = tf.backend_util.computeOutShape(args.inputs.map((t) => t.shape), axis);
    const out = args.backend.makeOutput(outShape, inputs[0].dtype);
    const outer = inputs[0].shape.slice(0, axis).reduce((p, q) => p * q, 1);
    const inner = inputs.map((t) => t.shape.slice(axis).reduce((p, q) => p * q, 1));
    const rowLen = inner.reduce((p, q) => p + q, 0);
    const views = inputs.map((t) => args.backend.typedArrayFromHeap(t));
    const ov = args.backend.typedArrayFromHeap(out);
    if (ov instanceof Float32Array && views.every((v) => v instanceof Float32Array)) {
      concatRowsF32(views as Float32Array[], inner, outer, rowLen, ov);
      return out;
    }
    for (let i = 0; i < inputs.length; i++) {
      const v = views[i];
      const n = inner[i];
      let to = inner.slice(0, i).reduce((p, q) => p + q, 0);
      for (let b = 0, from = 0; b < outer; b++, from += n, to += rowLen) copyRun(v, from, ov, to, n);
    }
    return out;
  }) as unknown as tf.KernelFunc;
  (concatFunc as { fast?: boolean }).fast = true;

  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({ kernelName: 'Slice', backendName: 'wasm', kernelFunc: sliceFunc });
  tf.unregisterKernel('Concat', 'wasm');
  tf.registerKernel({ kernelName: 'Concat', backendName: 'wasm', kernelFunc: concatFunc });
}
