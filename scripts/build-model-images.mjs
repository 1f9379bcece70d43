#!/usr/bin/env node
/**
 * Builds the prebuilt network images of the shared models into
 * firmware-prebuilt/models/ (baseline and exact unpacked kernels of LeNet and
 * ResNet-8), each with `sim_bench` running test image 0, so `sim-dse cycles`
 * and the golden check work without the ARM compiler.
 *
 *   npm run build && node scripts/build-model-images.mjs          rebuild, rewrite manifest + golden entries
 *   npm run build && node scripts/build-model-images.mjs --check  rebuild without the cache, fail if any byte differs
 *
 * Images are linked for a 2 MB flash (nucleo-l4r5zi's map); golden entries are
 * added for every board whose flash the image fits.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(join(root, 'dist', p));
const { getBoard } = await dist('emulator/boards.js');
const { emulatorLinkScript } = await dist('kernels/build/link-script.js');
const { CFLAGS, LDFLAGS, requireCompiler } = await dist('kernels/build/toolchain.js');
const { defaultEmitters } = await dist('kernels/emitters.js');
const { buildNetwork } = await dist('kernels/network/build.js');
const { planNetwork } = await dist('kernels/network/plan.js');
const { createEngine } = await dist('model/engine/index.js');
const { prepareGraph } = await dist('model/engine/prepare.js');
const { resolveModel } = await dist('model/registry.js');
const { loadCifar10 } = await dist('model/dataset/cifar10.js');
const { modelInputs } = await dist('model/dataset/preprocess.js');
const { measure } = await dist('emulator/measure.js');
const { readGolden, formatGolden } = await dist('emulator/golden.js');

const check = process.argv.includes('--check');
const outDir = join(root, 'firmware-prebuilt', 'models');
const goldenPath = join(root, 'firmware-prebuilt', 'golden-cycles.json');
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const MODELS = ['lenet', 'resnet8'];
const STYLES = ['baseline', 'unpacked'];
const GOLDEN_BOARDS = ['nucleo-f446re', 'nucleo-l4r5zi'];
const linkBoard = getBoard('nucleo-l4r5zi');
const compiler = requireCompiler();
const ds = loadCifar10({ split: 'test' });

const manifest = { version: 1, compiler, cflags: CFLAGS, ldflags: LDFLAGS, linkerScript: 'emulator script, 2 MB flash (nucleo-l4r5zi map)', benchImage: 'test_batch.bin image 0', files: {} };
const built = [];
let differs = 0;
for (const name of MODELS) {
  const model = resolveModel(name);
  const prepared = prepareGraph(model.graph);
  const input = modelInputs(ds, model.graph, model.preprocess, 1).input(0);
  const engine = createEngine(model.graph);
  const trace = engine.trace(input);
  for (const style of STYLES) {
    const file = `${name}-${style}.elf`;
    const spec = { style };
    const benchInput = trace.get(planNetwork(prepared).inputTensor);
    const image = await buildNetwork(prepared, spec, linkBoard, defaultEmitters(), { cache: !check, benchInput, linkScript: emulatorLinkScript(linkBoard) });
    const path = join(outDir, file);
    if (check) {
      const same = existsSync(path) && sha256(readFileSync(path)) === sha256(image.elf);
      console.log(`${same ? 'same   ' : 'DIFFERS'} models/${file}`);
      if (!same) differs++;
      continue;
    }
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path, image.elf);
    manifest.files[`models/${file}`] = {
      sha256: sha256(image.elf),
      size: image.elf.byteLength,
      model: `${name} (sha256 ${model.sha256})`,
      kernels: style,
      sourcesSha256: sha256(image.source.sources.map((s) => `${s.name}\0${s.code}`).join('\0')),
      flash: image.sizes.flash,
      ram: image.sizes.ram,
    };
    built.push({ file, image });
    console.log(`built  models/${file}  flash ${image.sizes.flash} B, RAM ${image.sizes.ram} B`);
  }
}
if (check) {
  if (differs) {
    console.error(`${differs} prebuilt model image(s) differ from a fresh build`);
    process.exit(1);
  }
  process.exit(0);
}
writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const golden = readGolden(goldenPath);
const entries = golden.entries.filter((e) => !e.elf.startsWith('models/'));
for (const { file, image } of built) {
  for (const boardId of GOLDEN_BOARDS) {
    const flash = getBoard(boardId).regions.find((r) => r.kind === 'flash').size;
    if (image.sizes.flash > flash) continue;
    const r = measure(join(outDir, file), 'sim_bench', boardId, [], true);
    if (r.kind !== 'ok') throw new Error(`${file} on ${boardId}: ${r.message}`);
    entries.push({ elf: `models/${file}`, fn: 'sim_bench', board: boardId, args: [], warm: true, cycles: r.cycles, instructions: r.instructions });
  }
}
writeFileSync(goldenPath, formatGolden({ version: 1, entries }));
console.log(`golden: ${entries.length} entries`);
