/**
 * The little of the WebAssembly JS API binaryen's kernels need (typed here: the project compiles without the
 * DOM library, which is where TypeScript declares WebAssembly), and compiling a .wasm file once per path.
 */
import * as fs from 'fs';

export type WasmModule = object;
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { exports: unknown };
  instantiate(bytes: Uint8Array, imports: object): Promise<{ module: WasmModule; instance: { exports: unknown } }>;
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Imports of a module built with `--runtime stub`: only abort, which throws. */
export const WASM_IMPORTS = { env: { abort: () => { throw new Error('wasm kernel aborted'); } } };

const cache = new Map<string, WasmModule>();

function read(file: string): Uint8Array {
  if (!WA) throw new Error('WebAssembly is not available in this runtime');
  if (!fs.existsSync(file)) throw new Error(`wasm kernel ${file} not found (run npm run build)`);
  return fs.readFileSync(file);
}

/** Compile `file` synchronously (Node allows it at any size); cached per path. Throws if it will not compile. */
export function compileWasmSync(file: string): WasmModule {
  let m = cache.get(file);
  if (!m) {
    m = new WA!.Module(read(file));
    cache.set(file, m);
  }
  return m;
}

/** Compile `file` with WebAssembly.instantiate; cached per path. */
export async function compileWasm(file: string): Promise<WasmModule> {
  let m = cache.get(file);
  if (!m) {
    m = (await WA!.instantiate(read(file), WASM_IMPORTS)).module;
    cache.set(file, m);
  }
  return m;
}

/** A new instance of a compiled module: its exports. */
export function instantiateWasm<T>(module: WasmModule): T {
  if (!WA) throw new Error('WebAssembly is not available in this runtime');
  return new WA.Instance(module, WASM_IMPORTS).exports as T;
}
