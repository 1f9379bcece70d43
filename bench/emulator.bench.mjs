#!/usr/bin/env node
// Emulated instructions per second, single thread: the full cycle model
// (Machine.call: native block hook, ART model, specials, peripherals) against
// raw Unicorn without hooks, on the same ELF in the same run. The two are
// measured in alternating slices (--rounds of --slice seconds each), so load
// from other processes hits both alike; the table gives the medians of the
// rates and of the per-round model/raw ratios, by wall-clock time and by the
// process's CPU time (which leaves out the time other processes held the
// cores). Each slice uses a fresh engine, closed before the next is opened:
// Unicorn 2.0.1 gives every engine a 1 GB code buffer, and only one placed
// near libunicorn runs at full speed (the first of a process; later ones,
// while it lives, run about 30 % slower), so engines that coexist would not
// compare fairly. Run after `npm run build`:
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

/** Repeats fn for about `seconds` of wall-clock time; returns calls per wall-clock second and per CPU second. */
function rate(fn, seconds) {
  let n = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let dt = 0;
  while (dt < seconds) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
    dt = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  const c = process.cpuUsage(c0);
  return { wall: n / dt, cpu: n / ((c.user + c.system) / 1e6) };
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
console.log('| benchmark | board | instr/call | cycle model M instr/s (wall / CPU) | raw Unicorn M instr/s (wall / CPU) | model / raw (wall / CPU) |');
console.log('|---|---|---|---|---|---|');
for (const c of cases) {
  const path = join(root, 'firmware-prebuilt', 'microbench', c.elf);
  const image = parseElf(readFileSync(path), path);
  const entry = image.symbols.get(c.fn).value & ~1;
  for (const boardId of ['nucleo-f446re', 'nucleo-l4r5zi']) {
    const board = getBoard(boardId);
    /** One slice on a fresh engine (warmed up, then measured, then closed). */
    const modelSlice = () => {
      const machine = new Machine(image, board, path);
      const call = () => machine.call({ symbol: c.fn });
      for (let i = 0; i < 100; i++) call();
      const r = rate(call, slice);
      const instr = call().instructions;
      machine.close();
      return { ...r, instr };
    };
    const rawSlice = () => {
      const raw = rawUnicorn(image, board, entry);
      for (let i = 0; i < 100; i++) raw.run();
      const r = rate(raw.run, slice);
      raw.close();
      return r;
    };
    const s = { model: { wall: [], cpu: [] }, raw: { wall: [], cpu: [] }, ratio: { wall: [], cpu: [] } };
    let instr = 0;
    for (let r = 0; r < rounds; r++) {
      const m = modelSlice();
      const u = rawSlice();
      instr = m.instr;
      for (const k of ['wall', 'cpu']) {
        s.model[k].push(m[k] * instr);
        s.raw[k].push(u[k] * instr);
        s.ratio[k].push(m[k] / u[k]);
      }
    }
    const mips = (x) => `${(median(x.wall) / 1e6).toFixed(0)} / ${(median(x.cpu) / 1e6).toFixed(0)}`;
    const ratio = `${median(s.ratio.wall).toFixed(2)} / ${median(s.ratio.cpu).toFixed(2)}`;
    console.log(`| ${c.name} | ${boardId} | ${instr} | ${mips(s.model)} | ${mips(s.raw)} | ${ratio} |`);
  }
}
