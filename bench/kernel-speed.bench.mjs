#!/usr/bin/env node
// Emulated instructions per second of the full cycle model on real kernels (sim_bench of the
// prebuilt model images: one whole inference per call) beside the straight-line 40 KB
// microbenchmark and raw Unicorn (no hook at all) on the same image, in the same run.
// Cases alternate round by round so load from other processes hits them alike; the table gives
// medians by wall-clock and by the process's CPU time, and each kernel's rate as a ratio of the
// straight-line rate measured in the same round. Every measurement opens a fresh engine and
// closes it before the next (Unicorn 2.0.1: only the first engine of a process, placed near
// libunicorn, runs at full speed; engines that coexist do not compare fairly).
// Run after `npm run build`:
//   node bench/kernel-speed.bench.mjs [--rounds 5] [--board nucleo-l4r5zi] [--before <root>] [--raw]
// --before <root> adds the cycle model of another built checkout (same rounds, cycles compared).
// --raw adds raw Unicorn (no hook), raw Unicorn with one idle memory hook (see rawRate) and, as a
// diagnostic whose cycle counts are not exact, the cycle model without its memory hook.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { getBoard } from '../dist/emulator/boards.js';
import { parseElf } from '../dist/emulator/elf.js';
import { UC_HOOK_MEM_READ, UC_HOOK_MEM_WRITE } from '../dist/emulator/unicorn/constants.js';
import { cyclesApi } from '../dist/emulator/unicorn/ffi.js';
import { Unicorn } from '../dist/emulator/unicorn/unicorn.js';

const root = join(import.meta.dirname, '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const rounds = Number(arg('--rounds', 5));
const boardId = arg('--board', 'nucleo-l4r5zi');
const withRaw = process.argv.includes('--raw');
// --before <root>: another built checkout (e.g. the branch point) whose cycle model runs in the same rounds.
const beforeRoot = arg('--before', undefined);
// Two builds' native libraries cannot share one process (koffi type names), so every model
// measurement runs in a child process (`--child <root> <case>`), which also gives each a fresh engine.
const childIndex = process.argv.indexOf('--child');
const board = getBoard(boardId);

const cases = [
  { name: 'straight-line 40 KB', path: join(root, 'firmware-prebuilt', 'microbench', 'straight40k.elf'), fn: 'straight_40k', repeat: 2000 },
  ...['lenet-baseline', 'lenet-unpacked', 'resnet8-baseline', 'resnet8-unpacked'].map((m) => ({
    name: m,
    path: join(root, 'firmware-prebuilt', 'models', `${m}.elf`),
    fn: 'sim_bench',
    repeat: 1,
  })),
].map((c) => ({ ...c, image: parseElf(readFileSync(c.path), c.path) }));

const cpuSeconds = (c) => (c.user + c.system) / 1e6;

/** Calls `run` `repeat` times after one warm-up call; returns seconds (wall, CPU). */
function time(run, repeat) {
  run();
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < repeat; i++) run();
  return { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: cpuSeconds(process.cpuUsage(c0)) };
}

function modelRateHere(c, MachineClass) {
  const machine = new MachineClass(c.image, board, c.path);
  let instr = 0;
  let cycles = 0;
  const t = time(() => {
    const r = machine.call({ symbol: c.fn });
    instr = r.instructions;
    cycles = r.cycles;
  }, c.repeat);
  machine.close();
  return { instr, cycles, wall: (instr * c.repeat) / t.wall, cpu: (instr * c.repeat) / t.cpu };
}

/**
 * Raw Unicorn on the same image; with `slowPath`, plus one native memory hook bounded to an
 * address range nothing accesses: it is never called, but its presence alone sends every load and
 * store through Unicorn's slow path (load_helper/store_helper), which isolates that path's cost.
 */
/** The cycle model of the checkout at `checkout` on case `c`, measured in a child process. */
function modelRate(c, checkout = root, noMemoryHook = false) {
  const args = [import.meta.filename, '--child', checkout, String(cases.indexOf(c)), '--board', boardId, ...(noMemoryHook ? ['--no-memory-hook'] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }));
}

function rawRate(c, instr, slowPath = false) {
  const uc = new Unicorn();
  if (slowPath) uc.addNativeHook(UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, cyclesApi().sim_mem_hook_fn(), 0n, 0xfff0_0000, 0xfff0_0003);
  for (const r of board.regions) uc.map(r.base, Math.ceil(r.size / 4096) * 4096, 7);
  uc.map(0x1fff0000, 0x1000, 7);
  uc.write(0x1fff0000, Uint8Array.from([0x30, 0xbf, 0x30, 0xbf]));
  const sram = board.regions.find((r) => r.kind === 'sram');
  const entry = c.image.symbols.get(c.fn).value & ~1;
  const flash = board.regions.find((r) => r.kind === 'flash');
  for (const s of c.image.segments) if (s.memsz) uc.write(s.paddr, s.data);
  // Rewriting flash would drop its translations: restore only the RAM segments between runs.
  const ramSegments = c.image.segments.filter((s) => s.memsz && (s.paddr < flash.base || s.paddr >= flash.base + flash.size));
  const run = () => {
    for (const s of ramSegments) uc.write(s.paddr, s.data);
    uc.writeCore(13, sram.base + sram.size);
    uc.writeCore(14, 0x1fff0001);
    const err = uc.start(entry, 0x1fff0004);
    if (err) throw new Error(`uc_emu_start: ${err}`);
  };
  const t = time(run, c.repeat);
  uc.close();
  return { wall: (instr * c.repeat) / t.wall, cpu: (instr * c.repeat) / t.cpu };
}

if (childIndex >= 0) {
  const checkout = resolve(process.argv[childIndex + 1]);
  const { Machine: MachineClass } = await import(resolve(checkout, 'dist/emulator/machine.js'));
  if (process.argv.includes('--no-memory-hook')) {
    // Diagnostic only (cycle counts are then NOT exact): the cycle model without its memory hook(s),
    // so loads and stores take Unicorn's fast path; what is left is the block hook's cost.
    const { Unicorn: U } = await import(resolve(checkout, 'dist/emulator/unicorn/unicorn.js'));
    const add = U.prototype.addNativeHook;
    U.prototype.addNativeHook = function (type, ...rest) {
      return type & (UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE) ? undefined : add.call(this, type, ...rest);
    };
    // builds whose native model adds its memory hook itself (sim_install_mem_hook): skip it there too
    const { cyclesApi: api } = await import(resolve(checkout, 'dist/emulator/unicorn/ffi.js'));
    if (api().sim_install_mem_hook) api().sim_install_mem_hook = () => 0;
  }
  console.log(JSON.stringify(modelRateHere(cases[Number(process.argv[childIndex + 2])], MachineClass)));
  process.exit(0);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const acc = new Map(cases.map((c) => [c.name, { instr: 0, wall: [], cpu: [], ratio: [], rawWall: [], rawCpu: [], slowWall: [], slowCpu: [], noMemWall: [], noMemCpu: [], beforeWall: [], beforeCpu: [], beforeCycles: 0, cycles: 0 }]));
for (let r = 0; r < rounds; r++) {
  let straight = 0;
  for (const c of cases) {
    const m = modelRate(c);
    const a = acc.get(c.name);
    a.instr = m.instr;
    a.cycles = m.cycles;
    if (beforeRoot) {
      const b = modelRate(c, beforeRoot);
      a.beforeWall.push(b.wall);
      a.beforeCpu.push(b.cpu);
      a.beforeCycles = b.cycles;
    }
    a.wall.push(m.wall);
    a.cpu.push(m.cpu);
    if (c.repeat > 1) straight = m.cpu;
    a.ratio.push(m.cpu / straight);
    if (withRaw) {
      const u = rawRate(c, m.instr);
      a.rawWall.push(u.wall);
      a.rawCpu.push(u.cpu);
      const h = modelRate(c, root, true);
      a.noMemWall.push(h.wall);
      a.noMemCpu.push(h.cpu);
      const v = rawRate(c, m.instr, true);
      a.slowWall.push(v.wall);
      a.slowCpu.push(v.cpu);
    }
  }
}

console.log(`# cycle model speed on real kernels, ${boardId} (${cpus()[0].model}, ${cpus().length} cores, node ${process.version}, load average ${loadavg()[0].toFixed(1)})`);
console.log(`# medians of ${rounds} rounds; ratio = kernel / straight-line (CPU time, same round)`);
const M = (x) => (median(x) / 1e6).toFixed(0);
const bh = beforeRoot ? ' before M instr/s (wall / CPU) | after / before (CPU) | cycles equal |' : '';
console.log(`| benchmark | instr/call | cycle model M instr/s (wall / CPU) | / straight-line |${bh}${withRaw ? ' raw Unicorn M instr/s (wall / CPU) | raw + one idle memory hook (wall / CPU) | model without memory hook, not exact (wall / CPU) |' : ''}`);
console.log(`|---|---:|---:|---:|${beforeRoot ? '---:|---:|---|' : ''}${withRaw ? '---:|---:|---:|' : ''}`);
for (const c of cases) {
  const a = acc.get(c.name);
  const raw = withRaw ? ` ${M(a.rawWall)} / ${M(a.rawCpu)} | ${M(a.slowWall)} / ${M(a.slowCpu)} | ${M(a.noMemWall)} / ${M(a.noMemCpu)} |` : '';
  const before = beforeRoot ? ` ${M(a.beforeWall)} / ${M(a.beforeCpu)} | ${(median(a.cpu) / median(a.beforeCpu)).toFixed(2)} | ${a.cycles === a.beforeCycles ? 'yes' : `NO (${a.beforeCycles} -> ${a.cycles})`} |` : '';
  console.log(`| ${c.name} | ${a.instr} | ${M(a.wall)} / ${M(a.cpu)} | ${median(a.ratio).toFixed(2)} |${before}${raw}`);
}
