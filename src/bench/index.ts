/**
 * `npm run bench`: every speed figure of binwave as one JSON object (medians), on the reference preset:
 * training target samples/s (1 and 2 workers), peak RSS, dataset memory with a 10x corpus, generation samples/s
 * at batch 1 and 16 (with sampling, as `binwave generate` runs; the network step alone under gen_step_*), the
 * fraction of this machine's measured matMul peak, and ratios to the PyTorch reference (scripts/torch_wavenet.py)
 * when Debian's python3-torch is installed.
 */
import * as os from 'os';
import { benchGenerate } from './generate';
import { selectBackend } from '../backend';
import { benchTrain, matmulPeakGflops, torchPeer } from './train';

async function main(argv: string[]): Promise<void> {
  const log = (l: string) => process.stderr.write(l + '\n');
  const only = (name: string) => !argv.includes('--only') || argv.includes(name);
  const out: Record<string, number | string> = {
    machine_cpus: os.cpus().length,
    machine_load_average_1m_at_start: +os.loadavg()[0].toFixed(2),
  };
  if (only('train')) {
    log('bench: training (reference preset, batch 4 x 4096, 1 and 2 workers)...');
    Object.assign(out, await benchTrain({ torch: false }));
  }
  if (only('generate')) {
    log('bench: generation (reference preset, batch 1 and 16)...');
    Object.assign(out, await benchGenerate({ log }));
    if (out.matmul_peak_gflops === undefined) {
      await selectBackend('wasm');
      out.matmul_peak_gflops = +matmulPeakGflops().toFixed(2);
    }
    // per core used: batch 16's best figure may be on two threads, against one core's peak each
    const peak = Number(out.matmul_peak_gflops);
    for (const B of [1, 16]) {
      const gflops = Number(out[`gen_gflops_batch${B}`]);
      const cores = Number(out[`gen_threads_batch${B}`] ?? 1);
      if (peak > 0 && gflops > 0) out[`gen_fraction_of_matmul_peak_batch${B}`] = +(gflops / (cores * peak)).toFixed(3);
    }
  }
  if (!argv.includes('--no-torch')) {
    log('bench: PyTorch reference (if /usr/bin/python3 has torch)...');
    const t = torchPeer(500);
    if (t) {
      out.torch_peer = String(t.peer ?? 'pytorch');
      out.torch_train_target_samples_per_s = t.train_target_samples_per_s;
      out.torch_gen_samples_per_s_batch1 = t.gen_samples_per_s;
      if (out.train_target_samples_per_s) out.train_ratio_vs_torch = +(Number(out.train_target_samples_per_s) / t.train_target_samples_per_s).toFixed(2);
      if (out.gen_samples_per_s_batch1) out.gen_ratio_vs_torch_batch1 = +(Number(out.gen_samples_per_s_batch1) / t.gen_samples_per_s).toFixed(1);
      out.torch_gen_batch16 = 'not measured: the peer generates one stream';
    } else {
      out.torch_peer = 'unavailable (apt-get install python3-torch to compare)';
    }
  }
  out.machine_load_average_1m_at_end = +os.loadavg()[0].toFixed(2);
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
