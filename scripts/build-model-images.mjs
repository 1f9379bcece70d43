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
const { flashCapacity } = await dist('explore/evaluate/board-flash.js');
const { CFLAGS, LDFLAGS, requireCompiler } = await dist('kernels/compile/toolchain.js');
const { buildPrebuiltImage, prebuiltPath, PREBUILT_MODELS, PREBUILT_STYLES } = await dist('kernels/prebuilt.js');
const { measure } = await dist('emulator/measure.js');
const { readGolden, formatGolden } = await dist('emulator/golden.js');

const check = process.argv.includes('--check');
const outDir = join(root, 'firmware-prebuilt', 'models');
const goldenPath = join(root, 'firmware-prebuilt', 'golden-cycles.json');
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const GOLDEN_BOARDS = ['nucleo-f446re', 'nucleo-l4r5zi'];
const compiler = requireCompiler();

const manifest = { version: 1, compiler, cflags: CFLAGS, ldflags: LDFLAGS, linkerScript: 'emulator script, 2 MB flash (nucleo-l4r5zi map)', benchImage: 'test_batch.bin image 0', files: {} };
const built = [];
let differs = 0;
for (const name of PREBUILT_MODELS) {
  for (const style of PREBUILT_STYLES) {
    const rel = prebuiltPath(name, style);
    const image = await buildPrebuiltImage(name, style, { cache: !check });
    const path = join(root, 'firmware-prebuilt', rel);
    if (check) {
      const same = existsSync(path) && sha256(readFileSync(path)) === sha256(image.elf);
      console.log(`${same ? 'same   ' : 'DIFFERS'} ${rel}`);
      if (!same) differs++;
      continue;
    }
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path, image.elf);
    manifest.files[rel] = {
      sha256: sha256(image.elf),
      size: image.elf.byteLength,
      model: `${name} (sha256 ${image.modelSha256})`,
      kernels: style,
      sourcesSha256: sha256(image.source.sources.map((s) => `${s.name}\0${s.code}`).join('\0')),
      flash: image.sizes.flash,
      ram: image.sizes.ram,
    };
    built.push({ rel, image });
    console.log(`built  ${rel}  flash ${image.sizes.flash} B, RAM ${image.sizes.ram} B`);
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
for (const { rel, image } of built) {
  for (const boardId of GOLDEN_BOARDS) {
    if (image.sizes.flash > flashCapacity(getBoard(boardId))) continue;
    const r = measure(join(root, 'firmware-prebuilt', rel), 'sim_bench', getBoard(boardId), [], true);
    if (r.kind !== 'ok') throw new Error(`${rel} on ${boardId}: ${r.message}`);
    entries.push({ elf: rel, fn: 'sim_bench', board: boardId, args: [], warm: true, cycles: r.cycles, instructions: r.instructions });
  }
}
writeFileSync(goldenPath, formatGolden({ version: 1, entries }));
console.log(`golden: ${entries.length} entries`);
