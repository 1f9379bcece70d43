#!/usr/bin/env node
// Per-operator time of the reference engine's native backend (best GEMM level this CPU has):
// microseconds per image of each operator of both real models, run alone on the executor's
// arena (2,000 runs after one warm-up, best of three rounds), and the whole-model rate of a
// prefix-reuse session with no checkpoints (1,000 CIFAR-10 test images, best of five), each
// measured in --rounds child processes, best of them. Where a model's time goes, operator by
// operator; --before <root> times another built checkout (e.g. a worktree of the branch point) in
// child processes alternating with this one's, for a before/after table.
// Run after `npm run build` (imports from dist/):
//   node bench/engine-ops.bench.mjs [--before <root>] [--rounds 3]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const shared = process.env.SIM_DSE_SHARED ?? join(root, '..', 'shared');
const childAt = process.argv.indexOf('--child');
const beforeAt = process.argv.indexOf('--before');
const before = beforeAt >= 0 ? resolve(process.argv[beforeAt + 1]) : null;
const roundsAt = process.argv.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(process.argv[roundsAt + 1]) : 3;
const MODELS = [
  { name: 'lenet', file: 'lenet-cifar10-int8.tflite' },
  { name: 'resnet8', file: 'resnet8-cifar10-int8.tflite' },
];

/** Times one checkout (its dist/): { model: { ops: [{ kind, us }], imageUs, checksum } }. */
async function measure(checkout) {
  const dist = join(checkout, 'dist');
  const { importTflite } = await import(join(dist, 'model/tflite/import.js'));
  const { createEngine, createSession } = await import(join(dist, 'model/engine/index.js'));
  const { Executor } = await import(join(dist, 'model/engine/executor.js'));
  const { prepareGraph } = await import(join(dist, 'model/engine/prepare.js'));
  const { loadCifar10 } = await import(join(dist, 'model/dataset/cifar10.js'));
  const { modelInputs } = await import(join(dist, 'model/dataset/preprocess.js'));
  const { preprocessFromInput } = await import(join(dist, 'model/registry.js'));
  const test = loadCifar10({ dir: join(shared, 'datasets', 'cifar10'), split: 'test' });
  const out = {};
  for (const model of MODELS) {
    const graph = importTflite(new Uint8Array(readFileSync(join(shared, 'models', model.file))), model.name);
    const images = modelInputs(test, graph, preprocessFromInput(graph), 1000);
    const prepared = prepareGraph(graph);
    const ex = new Executor(prepared, 'native');
    ex.bytes(prepared.input.index).set(images.input(0));
    ex.useMasks?.(undefined); // checkouts before useMasks take the masks per runRange call
    const ops = prepared.ops.map((p, i) => {
      let best = Infinity;
      for (let round = 0; round < 3; round++) {
        ex.runRange(i, i + 1, undefined);
        const t = performance.now();
        for (let r = 0; r < 2000; r++) ex.runRange(i, i + 1, undefined);
        best = Math.min(best, ((performance.now() - t) * 1000) / 2000);
      }
      return { kind: p.kind, macs: p.macs ?? 0, us: best };
    });
    const inputs = Array.from({ length: images.count }, (_, i) => images.input(i));
    const session = createSession(createEngine(graph, { backend: 'native' }), inputs, { maxCacheBytes: 0 });
    let best = Infinity;
    let result;
    for (let round = 0; round < 5; round++) {
      const t = performance.now();
      result = session.evaluate();
      best = Math.min(best, performance.now() - t);
    }
    const checksum = result.predictions.reduce((a, b) => (Math.imul(a, 31) + b) | 0, 0);
    out[model.name] = { ops, imageUs: (best * 1000) / inputs.length, macs: prepared.macs, checksum };
  }
  return out;
}

if (childAt >= 0) {
  process.stdout.write(JSON.stringify(await measure(process.argv[childAt + 1])));
} else {
  const run = (checkout) => JSON.parse(execFileSync(process.execPath, [import.meta.filename, '--child', checkout], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  /** The best of two measurements, operator by operator. */
  const best = (a, b) =>
    Object.fromEntries(
      Object.entries(a).map(([name, m]) => [
        name,
        { ...m, imageUs: Math.min(m.imageUs, b[name].imageUs), ops: m.ops.map((o, i) => ({ ...o, us: Math.min(o.us, b[name].ops[i].us) })) },
      ]),
    );
  // the checkouts alternate, child by child, so a busy spell of the shared machine hits both alike
  let now = null;
  let then = null;
  for (let round = 0; round < rounds; round++) {
    const a = run(root);
    now = now === null ? a : best(now, a);
    if (before !== null) {
      const b = run(before);
      then = then === null ? b : best(then, b);
    }
  }
  const f = (x) => x.toFixed(2);
  for (const model of MODELS) {
    const a = now[model.name];
    const b = then?.[model.name];
    console.log(`\n${model.name}: ${f(a.imageUs)} us/image, ${((a.macs / a.imageUs) / 1000).toFixed(1)} G MAC/s whole model` +
      (b ? ` (before ${f(b.imageUs)} us/image, ${((b.macs / b.imageUs) / 1000).toFixed(1)} G MAC/s; predictions ${a.checksum === b.checksum ? 'equal' : 'DIFFER'})` : ''));
    console.log(`| op | kind | MACs | us / image |${b ? ' before us / image | before / now |' : ''}`);
    console.log(`|---|---|---:|---:|${b ? '---:|---:|' : ''}`);
    a.ops.forEach((o, i) => {
      const was = b?.ops[i];
      console.log(`| ${i} | ${o.kind} | ${o.macs} | ${f(o.us)} |${was ? ` ${f(was.us)} | ${(was.us / o.us).toFixed(2)} |` : ''}`);
    });
  }
}
