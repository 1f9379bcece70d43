#!/usr/bin/env node
// Emulated instructions per second, single thread: the full cycle model
// (native block hook, ART model, specials) against raw Unicorn without hooks,
// on the same ELF in the same run. Run after `npm run build`:
//   node bench/emulator.bench.mjs [--seconds 2]
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { getBoard } from '../dist/emulator/boards.js';
import { parseElf } from '../dist/emulator/elf.js';
import { Machine } from '../dist/emulator/machine.js';
import { Unicorn } from '../dist/emulator/unicorn/unicorn.js';

const root = join(import.meta.dirname, '..');
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 2;
const cases = [
  { name: 'straight-line 40 KB', elf: 'straight40k.elf', fn: 'straight_40k' },
  { name: 'tight loop (6 instr)', elf: 'art-loop.elf', fn: 'art_loop1000' },
];

/** Repeats fn for about `seconds`; returns calls per second. */
function rate(fn) {
  for (let i = 0; i < 50; i++) fn();
  let n = 0;
  const t0 = process.hrtime.bigint();
  let dt = 0;
  while (dt < seconds) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    dt = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  return n / dt;
}

function rawUnicorn(image, board, entry) {
  const uc = new Unicorn();
  for (const r of board.regions) if (r.kind !== 'peripheral') uc.map(r.base, Math.ceil(r.size / 4096) * 4096, 7);
  uc.map(0x1fff0000, 0x1000, 7);
  uc.write(0x1fff0000, Uint8Array.from([0x30, 0xbf, 0x30, 0xbf]));
  for (const s of image.segments) if (s.memsz) uc.write(s.paddr, s.data);
  const sram = board.regions.find((r) => r.kind === 'sram');
  return () => {
    uc.writeCore(13, sram.base + sram.size);
    uc.writeCore(14, 0x1fff0001);
    const err = uc.start(entry, 0x1fff0004);
    if (err) throw new Error(`uc_emu_start: ${err}`);
  };
}

console.log(`# emulator speed, single thread (${cpus()[0].model}, ${cpus().length} cores, node ${process.version})`);
console.log('| benchmark | board | instr/call | cycle model M instr/s | raw Unicorn M instr/s | model / raw |');
console.log('|---|---|---|---|---|---|');
for (const c of cases) {
  const path = join(root, 'firmware-prebuilt', 'microbench', c.elf);
  const image = parseElf(readFileSync(path), path);
  for (const boardId of ['nucleo-f446re', 'nucleo-l4r5zi']) {
    const board = getBoard(boardId);
    const machine = new Machine(image, board, path);
    const first = machine.call({ symbol: c.fn });
    const instr = first.instructions;
    const modelRate = rate(() => machine.call({ symbol: c.fn })) * instr;
    machine.close();
    const raw = rawUnicorn(image, board, image.symbols.get(c.fn).value & ~1);
    const rawRate = rate(raw) * instr;
    console.log(`| ${c.name} | ${boardId} | ${instr} | ${(modelRate / 1e6).toFixed(0)} | ${(rawRate / 1e6).toFixed(0)} | ${(modelRate / rawRate).toFixed(2)} |`);
  }
}
