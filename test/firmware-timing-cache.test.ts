/**
 * Whole-firmware timings are cached by content (src/firmware/timing-cache.ts):
 * the second timing of the same image bytes on the same board reads the
 * cached entry, a different image (another number of embedded images) or
 * board does not, and a malformed entry is timed again and overwritten.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compileAndLink } from '../src/kernels/compile/compile.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { boardImageInputs } from '../src/firmware/export.js';
import { getFirmwareBoard } from '../src/firmware/firmware-boards.js';
import { timeFirmware } from '../src/firmware/image-timing.js';
import { timingKey } from '../src/firmware/timing-cache.js';
import { fakeImages, fakeNetwork } from './helpers/firmware-fixtures.js';
import { useTemporaryCache } from './helpers/temp-cache.js';

const cache = useTemporaryCache('sim-dse-fw-cache-');
const hasCompiler = compilerVersion() !== null;

describe.skipIf(!hasCompiler)('whole-firmware timing cache', () => {
  test('the same image on the same board is read back; an edited entry is what is read, a malformed one is timed again', async () => {
    const request = { network: fakeNetwork, images: fakeImages(2), board: getFirmwareBoard('nucleo-f446re') };
    const first = await timeFirmware(request);
    // the entry sits under the key of the image linked for timing (flash opened wide) on the board's profile
    const inputs = boardImageInputs(request, 64 * 1024 * 1024);
    const { elf } = await compileAndLink({ sources: [...inputs.headers, ...inputs.units], board: request.board.profile, linkScript: inputs.linkScript });
    const key = timingKey(elf, request.board.profile);
    const path = join(cache, 'cache', 'firmware-timings', key.slice(0, 2), `${key}.json`);
    expect(existsSync(path)).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(first);
    // read, not emulated: an entry edited to other cycles comes back as stored
    writeFileSync(path, JSON.stringify({ ...first, inference: first.inference.map((c) => c + 1) }));
    expect((await timeFirmware(request)).inference).toEqual(first.inference.map((c) => c + 1));
    // malformed (an image's cycles missing): timed again, and the entry repaired
    writeFileSync(path, JSON.stringify({ ...first, inference: first.inference.slice(1) }));
    expect(await timeFirmware(request)).toEqual(first);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(first);
    // another image (three embedded images) or another board has its own key
    const three = await timeFirmware({ ...request, images: fakeImages(3) });
    expect([three.images, three.inference.slice(0, 2)]).toEqual([3, first.inference]);
    const l4 = getFirmwareBoard('nucleo-l4r5zi');
    expect(timingKey(elf, l4.profile)).not.toBe(key);
  }, 300_000);
});
