/**
 * Cached-generation throughput on a preset (default: reference), batch 1 and batch 16. Figures are medians of
 * `runs` timed runs after a warm-up (V8 tiers wasm and JS up while it runs).
 *
 * The headline, gen_samples_per_s_batch{B}, is what `binwave generate --count B` does: generate() with one
 * default Sampler (sample, T = 1) per stream, softmax and draw included, with the kernel 'auto' picks; for B ≥ 8
 * on one and two threads (_1thread / _2threads; on two, each thread samples its own streams), the unsuffixed key
 * the faster (its threads in gen_threads_batch{B}). The PyTorch peer samples too, so the ratio to it compares like with like. gen_gflops_batch{B}
 * counts 2 flops per multiply-add of the model (gen_macs_per_sample).
 *
 * gen_step_samples_per_s_* time Generator.step alone, the network without sampling: per kernel (_ts, _wasm SIMD,
 * _wasm_relaxed SIMD + fused multiply-add, one thread, each run stepping for `minSeconds`), and for B ≥ 8 the
 * best kernel on two threads in lock step (meeting every step). gen_step_cpu_* divide by this process's CPU time
 * instead of wall time: on a loaded machine they show what the kernel does when it has the core (with two
 * threads, CPU time is both threads'). Standalone: `node dist/bench/generate.js` prints the JSON.
 */
import * as os from 'os';
import { cost, presetConfig } from '../model/config';
import { initWeights } from '../model/wavenet';
import { Generator, GeneratorOptions, generate } from '../generate/generator';
import { Sampler } from '../sample/sampler';
import { Rng } from '../util/rng';
import { RELAXED_WASM_PATH, enableRelaxedSimd } from '../generate/wasm-kernel';
import { median } from './stats';

type Kernel = 'ts' | 'wasm' | 'wasm_relaxed';
const KERNEL_OPTIONS: Record<Kernel, GeneratorOptions> = {
  ts: { kernel: 'ts', threads: 1 },
  wasm: { kernel: 'wasm', relaxedSimd: false, threads: 1 },
  wasm_relaxed: { kernel: 'wasm', relaxedSimd: true, threads: 1 },
};

export interface BenchGenerateOptions {
  preset?: string;
  runs?: number;
  minSeconds?: number;
  /** 'wasm' is the plain SIMD build, 'wasm_relaxed' the fused-multiply-add one (turns on V8's relaxed-SIMD flag). */
  kernels?: Kernel[];
  batches?: number[];
  log?: (line: string) => void;
}

/**
 * Samples per second (all streams together) of one kernel at one batch size: the medians of `runs`, by wall
 * clock and by this process's CPU time (the latter is steadier on a shared machine).
 */
export function measure(gen: Generator, runs: number, minSeconds: number): { wall: number; cpu: number } {
  const B = gen.streams, Q = gen.bins;
  const logits = new Float32Array(B * Q);
  const input = new Int32Array(B);
  let code = 0;
  const once = (seconds: number) => {
    const t0 = process.hrtime.bigint();
    const u0 = process.cpuUsage();
    let steps = 0;
    let elapsed = 0;
    while (elapsed < seconds) {
      for (let k = 0; k < 64; k++) {
        // a cheap deterministic walk over bins, different per stream
        for (let s = 0; s < B; s++) input[s] = (code + 37 * s) % Q;
        code = (code + 13) % Q;
        gen.step(input, logits);
      }
      steps += 64;
      elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    }
    const u = process.cpuUsage(u0);
    return { wall: (steps * B) / elapsed, cpu: (steps * B) / ((u.user + u.system) / 1e6) };
  };
  once(Math.min(1, minSeconds)); // warm-up: tier-up
  const rates: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < runs; r++) rates.push(once(minSeconds));
  return { wall: median(rates.map((r) => r.wall)), cpu: median(rates.map((r) => r.cpu)) };
}

/** Samples per second (all streams) of generate() with a default Sampler per stream: the median of `runs`. */
export function measureEndToEnd(gen: Generator, runs: number, samplesPerRun: number): number {
  const B = gen.streams;
  const samplers = Array.from({ length: B }, (_, s) => new Sampler(gen.quantizer, {}, new Rng(1 + s)));
  const n = Math.max(1, Math.round(samplesPerRun / B));
  const once = () => {
    const t0 = process.hrtime.bigint();
    generate({ generator: gen, samplers, n });
    return (n * B) / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  once(); // warm-up
  return median(Array.from({ length: runs }, once));
}

export async function benchGenerate(opts: BenchGenerateOptions = {}): Promise<Record<string, number>> {
  const preset = opts.preset ?? 'reference';
  const runs = Math.max(3, opts.runs ?? 3);
  const minSeconds = opts.minSeconds ?? 1;
  const batches = opts.batches ?? [1, 16];
  const config = presetConfig(preset);
  const weights = initWeights(config, 1);
  const macs = cost(config).macsPerSample;
  const out: Record<string, number> = {};
  const kernels: Kernel[] = [];
  for (const k of opts.kernels ?? ['ts', 'wasm', 'wasm_relaxed']) {
    try {
      if (k === 'wasm_relaxed') enableRelaxedSimd();
      const g = await Generator.create(config, weights, 1, KERNEL_OPTIONS[k]);
      if (k === 'wasm_relaxed' && g.wasmFile !== RELAXED_WASM_PATH) throw new Error('relaxed-SIMD build did not load');
      kernels.push(k);
    } catch (err) {
      opts.log?.(`kernel ${k} unavailable: ${(err as Error).message}`);
    }
  }
  // the network step alone, per kernel, then the best kernel on two threads
  for (const k of kernels) {
    for (const B of batches) {
      const gen = await Generator.create(config, weights, B, KERNEL_OPTIONS[k]);
      const rate = measure(gen, runs, minSeconds);
      out[`gen_step_samples_per_s_batch${B}_${k}`] = Math.round(rate.wall);
      out[`gen_step_cpu_samples_per_s_batch${B}_${k}`] = Math.round(rate.cpu);
      opts.log?.(`step, ${k}, batch ${B}: ${Math.round(rate.wall)} samples/s (${Math.round(rate.cpu)} per CPU second)`);
    }
  }
  for (const B of batches) {
    const rateOf = (k: Kernel) => out[`gen_step_samples_per_s_batch${B}_${k}`] ?? 0;
    const bestKernel = kernels.reduce<Kernel | null>((a, k) => (a === null || rateOf(k) > rateOf(a) ? k : a), null);
    let best = bestKernel ? rateOf(bestKernel) : 0;
    if (bestKernel && bestKernel !== 'ts' && B >= 8) {
      out[`gen_step_samples_per_s_batch${B}_1thread`] = best;
      try {
        const gen = await Generator.create(config, weights, B, { ...KERNEL_OPTIONS[bestKernel], threads: 2 });
        try {
          const rate = measure(gen, runs, minSeconds);
          out[`gen_step_samples_per_s_batch${B}_2threads`] = Math.round(rate.wall);
          out[`gen_step_cpu_samples_per_s_batch${B}_2threads`] = Math.round(rate.cpu);
          opts.log?.(`step, ${bestKernel}, batch ${B}, 2 threads in lock step: ${Math.round(rate.wall)} samples/s`);
          best = Math.max(best, Math.round(rate.wall));
        } finally {
          gen.close();
        }
      } catch (err) {
        opts.log?.(`2 threads unavailable: ${(err as Error).message}`);
      }
    }
    out[`gen_step_samples_per_s_batch${B}`] = best;
  }
  // the headline: generate() with a sampler per stream, as the CLI runs it
  for (const B of batches) {
    const configs: [string, 1 | 2][] = B >= 8 ? [['_1thread', 1], ['_2threads', 2]] : [['', 1]];
    let best = 0;
    let bestThreads = 1;
    for (const [suffix, threads] of configs) {
      try {
        const gen = await Generator.create(config, weights, B, { threads });
        try {
          const rate = Math.round(measureEndToEnd(gen, runs, 64000));
          out[`gen_samples_per_s_batch${B}${suffix}`] = rate;
          opts.log?.(`generate(), batch ${B}, ${gen.kernel} kernel, ${threads} thread(s): ${rate} samples/s`);
          if (rate > best) [best, bestThreads] = [rate, gen.threads];
        } finally {
          gen.close();
        }
      } catch (err) {
        opts.log?.(`generate(), batch ${B}, ${threads} thread(s): ${(err as Error).message}`);
      }
    }
    if (best > 0) {
      out[`gen_samples_per_s_batch${B}`] = best;
      out[`gen_threads_batch${B}`] = bestThreads;
      out[`gen_gflops_batch${B}`] = (2 * macs * best) / 1e9;
    }
  }
  if (out.gen_samples_per_s_batch1 !== undefined) out.gen_realtime_factor_16k = out.gen_samples_per_s_batch1 / 16000;
  out.gen_macs_per_sample = macs;
  out.gen_load_average_1m = os.loadavg()[0];
  return out;
}

if (require.main === module) {
  benchGenerate({ log: (l) => process.stderr.write(l + '\n') })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
