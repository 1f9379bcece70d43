#!/usr/bin/env node
// Reference engine throughput, single thread: multiply-accumulates per second
// of the int8 engine (native backend at each GEMM level the CPU has, WASM SIMD
// backend, and the scalar oracle) on both real models, against ArmNN's CpuRef
// backend on 50 images in the same run. Rates are per CPU second of this
// process (the machine is shared: wall time measures the other sessions too);
// the engines are timed alternately, three rounds, best round each.
// Run after `npx tsc` (imports from dist/):
//   node bench/model-engine.bench.mjs [--images 1000] [--armnn-images 50] [--full] [--no-write]
// --full also times ResNet-8 on the whole 10,000-image test set.
// Writes the figures into bench/RESULTS.md under "## Reference engine".
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { importTflite } from '../dist/model/tflite/import.js';
import { createEngine, NATIVE_ISA_NAMES, nativeKernels } from '../dist/model/engine/index.js';

const root = join(import.meta.dirname, '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const images = arg('--images', 1000);
const armnnImages = arg('--armnn-images', 50);
const full = process.argv.includes('--full');
const write = !process.argv.includes('--no-write');
const shared = process.env.SIM_DSE_SHARED ?? join(root, '..', 'shared');
const models = [
  { name: 'lenet', file: 'lenet-cifar10-int8.tflite', float: true },
  { name: 'resnet8', file: 'resnet8-cifar10-int8.tflite', float: false },
];

/** The first `count` CIFAR-10 test images as model input bytes, and labels. */
function cifar(count, float) {
  const raw = readFileSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));
  const inputs = [];
  const labels = [];
  for (let i = 0; i < count; i++) {
    const rec = raw.subarray(i * 3073, (i + 1) * 3073);
    labels.push(rec[0]);
    const out = float ? new Float32Array(3072) : new Int8Array(3072);
    for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[p * 3 + c] = float ? rec[1 + c * 1024 + p] / 255 : rec[1 + c * 1024 + p] - 128;
    inputs.push(new Uint8Array(out.buffer));
  }
  return { inputs, labels };
}

/** CPU seconds of this process to classify all inputs (after a warm-up), and top-1 correct. */
function time(engine, inputs, labels) {
  engine.classify(inputs.slice(0, Math.min(50, inputs.length)));
  const t0 = process.cpuUsage();
  const pred = engine.classify(inputs);
  const used = process.cpuUsage(t0);
  const s = (used.user + used.system) / 1e6;
  let correct = 0;
  pred.forEach((p, i) => {
    if (p === labels[i]) correct++;
  });
  return { s, correct };
}

const ARMNN = `
import sys, time, numpy as np, pyarmnn as ann
model, inputs, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
parser = ann.ITfLiteParser()
net = parser.CreateNetworkFromBinaryFile(model)
inb = parser.GetNetworkInputBindingInfo(0, parser.GetSubgraphInputTensorNames(0)[0])
outb = parser.GetNetworkOutputBindingInfo(0, parser.GetSubgraphOutputTensorNames(0)[0])
rt = ann.IRuntime(ann.CreationOptions())
opt, _ = ann.Optimize(net, [ann.BackendId("CpuRef")], rt.GetDeviceSpec(), ann.OptimizerOptions())
nid, _ = rt.LoadNetwork(opt)
dt = np.float32 if inb[1].GetDataType() == ann.DataType_Float32 else np.int8
raw = np.fromfile(inputs, dtype=dt).reshape(count, 1, 32, 32, 3)
def run(x):
    outs = ann.make_output_tensors([outb])
    rt.EnqueueWorkload(nid, ann.make_input_tensors([inb], [x]), outs)
    return ann.workload_tensors_to_ndarray(outs)[0]
run(raw[0])
t0 = time.process_time()
for i in range(count): run(raw[i])
print(time.process_time() - t0)
`;

/** ArmNN CpuRef seconds per image, or null when pyarmnn is unavailable. */
function armnn(model, inputs) {
  const dir = mkdtempSync(join(tmpdir(), 'sim-dse-armnn-'));
  try {
    const bin = join(dir, 'inputs.bin');
    writeFileSync(bin, Buffer.concat(inputs.map((x) => Buffer.from(x))));
    const r = spawnSync('/usr/bin/python3', ['-c', ARMNN, model, bin, String(inputs.length)], { encoding: 'utf8' });
    if (r.status !== 0) {
      process.stderr.write(`armnn: skipped (${(r.stderr || '').trim().split('\n').pop()})\n`);
      return null;
    }
    return Number(r.stdout.trim().split('\n').pop()) / inputs.length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cpuModel = cpus()[0]?.model ?? 'unknown';
const threads = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
const rows = [];
for (const m of models) {
  const graph = importTflite(new Uint8Array(readFileSync(join(shared, 'models', m.file))), m.name);
  const { inputs, labels } = cifar(images, m.float);
  const wasm = createEngine(graph, { backend: 'wasm' });
  const scalar = createEngine(graph, { backend: 'scalar' });
  const levels = nativeKernels()?.supported ?? [];
  const natives = levels.map((nativeIsa) => createEngine(graph, { backend: 'native', nativeIsa }));
  const engines = [wasm, ...natives];
  const secs = engines.map(() => Infinity);
  const correct = engines.map(() => -1);
  for (let round = 0; round < 3; round++) {
    engines.forEach((e, i) => {
      const t = time(e, inputs, labels);
      secs[i] = Math.min(secs[i], t.s);
      correct[i] = t.correct;
    });
  }
  if (correct.some((c) => c !== correct[0])) throw new Error(`${m.name}: backends disagree on top-1: ${correct.join(', ')}`);
  const w = { s: secs[0], correct: correct[0] };
  const sc = time(scalar, inputs.slice(0, 50), labels);
  const a = armnn(join(shared, 'models', m.file), inputs.slice(0, armnnImages));
  const perImage = w.s / images;
  const row = {
    model: m.name,
    macs: wasm.macs,
    images,
    wasmMacs: (wasm.macs * images) / w.s / 1e9,
    native: natives.map((e, i) => ({ name: NATIVE_ISA_NAMES[levels[i]], macs: (e.macs * images) / secs[i + 1] / 1e9 })),
    wasmMsPerImage: perImage * 1000,
    scalarMacs: (scalar.macs * 50) / sc.s / 1e9,
    top1: (100 * w.correct) / images,
    armnnMsPerImage: a === null ? null : a * 1000,
    ratio: a === null ? null : a / perImage,
  };
  if (full && m.name === 'resnet8') {
    const all = cifar(10000, false);
    const f = time(wasm, all.inputs, all.labels);
    row.fullSeconds = f.s;
    row.fullTop1 = (100 * f.correct) / 10000;
  }
  rows.push(row);
  console.log(`${m.name}: native ${row.native.map((n) => `${n.name} ${n.macs.toFixed(1)}`).join(', ')} G MAC/s per CPU second`);
  console.log(
    `${m.name}: ${row.wasmMacs.toFixed(2)} G MAC/s (wasm, ${row.wasmMsPerImage.toFixed(3)} ms/image, top-1 ${row.top1.toFixed(1)} % on ${images}),` +
      ` scalar ${row.scalarMacs.toFixed(2)} G MAC/s, ArmNN CpuRef ${a === null ? 'n/a' : row.armnnMsPerImage.toFixed(2) + ' ms/image'},` +
      ` speed-up over ArmNN ${row.ratio === null ? 'n/a' : row.ratio.toFixed(1) + 'x'}` +
      (row.fullSeconds !== undefined ? `; full test set ${row.fullSeconds.toFixed(1)} s, top-1 ${row.fullTop1.toFixed(2)} %` : ''),
  );
}

if (write) {
  const file = join(root, 'bench', 'RESULTS.md');
  const lines = [
    '## Reference engine',
    '',
    `Command: \`node bench/model-engine.bench.mjs --images ${images} --armnn-images ${armnnImages}${full ? ' --full' : ''}\` (after \`npx tsc\`),`,
    `${new Date().toISOString().slice(0, 10)}, machine: ${threads} threads (nproc), ${cpuModel}, Node ${process.versions.node}. One thread.`,
    'MAC/s counts the multiply-accumulates of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED per inference',
    `over the CPU time of this process for whole inferences (all operators), first ${images} CIFAR-10 test images; scalar on 50.`,
    'CPU time, not wall time: the machine is shared with other sessions (load average 3-20), so wall time measures them too.',
    'Each engine is timed three times, alternating with the others, and its best round is kept; all backends give the same top-1.',
    `ArmNN: TfLiteParser + CpuRef backend via pyarmnn on ${armnnImages} images, inference loop only (CPU time of its process).`,
    'Targets: issue 3, at least 3 G MAC/s per thread; issue 14, at least 30 G MAC/s per thread (the native backend).',
    'The machine is shared with other processes, so absolute rates vary by up to a factor of two between runs;',
    'the engine / ArmNN ratio comes from the same run.',
    '',
    `| model | MAC / image | ${rows[0].native.map((n) => `native ${n.name} G MAC/s`).join(' | ')} | WASM SIMD G MAC/s | native / WASM | WASM ms / image | scalar oracle G MAC/s | ArmNN CpuRef ms / image | WASM / ArmNN | top-1 |`,
    `|---|---|${rows[0].native.map(() => '---|').join('')}---|---|---|---|---|---|---|`,
    ...rows.map(
      (r) =>
        `| ${r.model} | ${r.macs.toLocaleString('en-US')} | ${r.native.map((n) => n.macs.toFixed(1)).join(' | ')} | ${r.wasmMacs.toFixed(2)} | ` +
        `${(r.native.at(-1).macs / r.wasmMacs).toFixed(1)}x | ${r.wasmMsPerImage.toFixed(3)} | ${r.scalarMacs.toFixed(2)} | ` +
        `${r.armnnMsPerImage === null ? 'n/a' : r.armnnMsPerImage.toFixed(2)} | ${r.ratio === null ? 'n/a' : r.ratio.toFixed(1) + 'x'} | ${r.top1.toFixed(1)} % |`,
    ),
    ...rows
      .filter((r) => r.fullSeconds !== undefined)
      .map((r) => `\n${r.model} on the full 10,000-image test set: ${r.fullSeconds.toFixed(1)} s, top-1 ${r.fullTop1.toFixed(2)} %.`),
    '',
    '',
  ];
  const section = lines.join('\n');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n\n';
  const start = text.indexOf('## Reference engine');
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : '');
  } else {
    text = text.replace(/\n*$/, '\n\n') + section;
  }
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
