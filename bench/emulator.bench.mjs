#!/usr/bin/env node
// Emulated instructions per second, single thread: the full cycle model
// (Machine.call: native block hook, ART model, specials, peripherals) against
// raw Unicorn without hooks, on the same ELF in the same run. The two are
// measured in alternating slices (--rounds of --slice seconds each), so load
// from other processes hits both alike; the table gives the medians of the
// rates and of the per-round model/raw ratios. Run after `npm run build`:
//   node bench/emulator.bench.mjs [--rounds 7] [--slice 0.3]
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { getBoard } from '../dist/emulator/boards.js';
import { parseElf } from '../dist/emulator/elf.js';
import { Machine } from '../dist/emulator/machine.js';
import { Unicorn } from '../dist/emulator/unicorn/unicorn.js';

const root = join(import.meta.dirname, '..');
const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) || fallback : fallback;
};
const rounds = option('--rounds', 7);
const slice = option('--slice', 0.3);
const cases = [
  { name: 'straight-line 40 KB', elf: 'straight40k.elf', fn: 'straight_40k' },
  { name: 'tight loop (6 instr)', elf: 'art-loop.elf', fn: 'art_loop1000' },
];

/** Repeats fn for about `seconds`; returns calls per second. */
function rate(fn, seconds) {
  let n = 0;
  const t0 = process.hrtime.bigint();
  let dt = 0;
  while (dt < seconds) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
    dt = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  return n / dt;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function rawUnicorn(image, board, entry) {
  const uc = new Unicorn();
  for (const r of board.regions) if (r.kind !== 'peripheral') uc.map(r.base, Math.ceil(r.size / 4096) * 4096, 7);
  uc.map(0x1fff0000, 0x1000, 7);
  uc.write(0x1fff0000, Uint8Array.from([0x30, 0xbf, 0x30, 0xbf]));
  for (const s of image.segments) if (s.memsz) uc.write(s.paddr, s.data);
  const sram = board.regions.find((r) => r.kind === 'sram');
  const run = () => {
    uc.writeCore(13, sram.base + sram.size);
    uc.writeCore(14, 0x1fff0001);
    const err = uc.start(entry, 0x1fff0004);
    if (err) throw new Error(`uc_emu_start: ${err}`);
  };
  return { run, close: () => uc.close() };
}

console.log(`# emulator speed, single thread (${cpus()[0].model}, ${cpus().length} cores, node ${process.version}, load average ${loadavg()[0].toFixed(1)})`);
console.log(`# medians of ${rounds} alternating rounds of ${slice} s per side`);
console.log('| benchmark | board | instr/call | cycle model M instr/s | raw Unicorn M instr/s | model / raw |');
console.log('|---|---|---|---|---|---|');
for (const c of cases) {
  const path = join(root, 'firmware-prebuilt', 'microbench', c.elf);
  const image = parseElf(readFileSync(path), path);
  for (const boardId of ['nucleo-f446re', 'nucleo-l4r5zi']) {
    const board = getBoard(boardId);
    const machine = new Machine(image, board, path);
    const model = () => machine.call({ symbol: c.fn });
    const instr = model().instructions;
    const raw = rawUnicorn(image, board, image.symbols.get(c.fn).value & ~1);
    for (let i = 0; i < 200; i++) {
      model();
      raw.run();
    }
    const modelRates = [];
    const rawRates = [];
    const ratios = [];
    for (let r = 0; r < rounds; r++) {
      const m = rate(model, slice) * instr;
      const u = rate(raw.run, slice) * instr;
      modelRates.push(m);
      rawRates.push(u);
      ratios.push(m / u);
    }
    machine.close();
    raw.close();
    console.log(
      `| ${c.name} | ${boardId} | ${instr} | ${(median(modelRates) / 1e6).toFixed(0)} | ${(median(rawRates) / 1e6).toFixed(0)} | ${median(ratios).toFixed(2)} |`,
    );
  }
}
