import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { parsePlace } from '../src/kernels/placement/placement.js';
import { profileNetwork } from '../src/kernels/profile.js';
import { loadCifar10 } from '../src/model/dataset/cifar10.js';
import { modelInputs } from '../src/model/dataset/preprocess.js';
import { createEngine } from '../src/model/engine/index.js';
import { resolveModel } from '../src/model/registry.js';
import { SHARED } from './helpers/engine-fixtures.js';
import { generatedModels } from './helpers/generated-models.js';

const have = compilerVersion() !== null && existsSync(join(SHARED, 'datasets', 'cifar10', 'test_batch.bin'));

describe.skipIf(!have)('generated models on the emulator', () => {
  const cases = [
    ['mobilenet', 'baseline', 'nucleo-f446re'],
    ['mobilenet', 'baseline', 'nucleo-l4r5zi'],
    // unpacked, the 128x128 model's stem copies 133 KB of patches: more than nucleo-f446re's SRAM, within nucleo-l4r5zi's
    ['mobilenet', 'unpacked', 'nucleo-l4r5zi'],
    ['resnet14', 'baseline', 'nucleo-f446re'],
    ['resnet14', 'baseline', 'nucleo-l4r5zi'],
  ] as const;
  for (const [name, style, boardId] of cases) {
    it(`${name}, ${style} kernels on ${boardId}: the firmware's output bytes equal the engine's (resized CIFAR-10 image 1), and it fits`, async () => {
      const m = resolveModel(generatedModels()[name]);
      const input = modelInputs(loadCifar10({ split: 'test' }), m.graph, m.preprocess, 2).input(1);
      const { profile } = await profileNetwork(m.graph, { style }, getBoard(boardId), input, { place: parsePlace('flash') });
      expect(profile.matchesEngine).toBe(true);
      expect(profile.fits).toBe(true);
      expect(profile.layers.map((l) => l.name)).toEqual(
        m.graph.ops.filter((o) => o.kind !== 'RESHAPE').map((o) => `${o.kind.toLowerCase()}#${o.index}`),
      );
      expect(profile.macs).toBe(createEngine(m.graph).macs);
    }, 300_000);
  }
});
