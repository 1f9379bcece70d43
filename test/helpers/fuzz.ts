/**
 * Seeded fuzzing: mutators that turn a real input (a .tflite model, an ELF,
 * a firmware log, a run store's rows) into a malformed one, and a runner
 * that feeds N mutants to a public entry point and sorts each outcome into
 * ok / clean error (a SimDseError) / crash (anything else thrown), with the
 * CPU time each took so the bench can flag would-be hangs.
 *
 * Mutant `i` of a kind is a pure function of (input, seed, i): a failing
 * mutant is reproduced with {@link mutant} alone. The test files run a few
 * hundred mutants of each kind; bench/fuzz.mjs runs the same files with
 * SIM_DSE_FUZZ_MUTANTS=10000 and collects the counts written to
 * SIM_DSE_FUZZ_COUNTS.
 */
import { appendFileSync } from 'node:fs';
import { SimDseError } from '../../src/util/errors.js';
import { xorshift32 } from './xorshift.js';

/** A seeded random stream with the helpers mutators need. */
export interface Rng {
  /** An unsigned 32-bit integer. */
  u32(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** One element of `list`. */
  pick<T>(list: readonly T[]): T;
}

/** A random stream from a seed (xorshift32). */
export function rng(seed: number): Rng {
  const next = xorshift32(seed * 2654435761 + 1);
  // warm up: nearby seeds start far apart
  for (let i = 0; i < 8; i++) next();
  const int = (n: number): number => (n <= 0 ? 0 : next() % n);
  return { u32: next, int, pick: (list) => list[int(list.length)] };
}

/** Turns an input into a mutant, drawing its choices from `r`. */
export type Mutator = (input: Uint8Array, r: Rng) => Uint8Array;

/** 32-bit values that tend to break parsers: limits, signs, off-by-ones. */
export const INTERESTING_U32 = [0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

const u32At = (b: Uint8Array, at: number): number => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
function setU32(b: Uint8Array, at: number, v: number): void {
  if (at < 0 || at + 4 > b.length) return;
  for (let k = 0; k < 4; k++) b[at + k] = (v >>> (8 * k)) & 0xff;
}
function setU16(b: Uint8Array, at: number, v: number): void {
  if (at < 0 || at + 2 > b.length) return;
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
}

/** A value for a 32-bit field: an interesting one, a small change of `old`, or a random one. */
function fieldValue(old: number, r: Rng): number {
  switch (r.int(3)) {
    case 0:
      return r.pick(INTERESTING_U32);
    case 1:
      return (old + r.int(33) - 16) >>> 0;
    default:
      return r.u32();
  }
}

/** Sets 1..8 random bytes to random values or flips one of their bits. */
export const byteFlips: Mutator = (input, r) => {
  const out = input.slice();
  const n = 1 + r.int(8);
  for (let k = 0; k < n && out.length > 0; k++) {
    const at = r.int(out.length);
    out[at] = r.int(2) === 0 ? r.u32() & 0xff : out[at] ^ (1 << r.int(8));
  }
  return out;
};

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Cuts the input at a random length. */
export const truncate: Mutator = (input, r) => input.slice(0, r.int(input.length));

/** Copies a random chunk over another place, or inserts it there, or deletes a chunk. */
export const splice: Mutator = (input, r) => {
  if (input.length < 2) return input.slice();
  const len = 1 + r.int(Math.min(256, input.length - 1));
  const from = r.int(input.length - len);
  const to = r.int(input.length - len);
  const chunk = input.slice(from, from + len);
  switch (r.int(3)) {
    case 0: {
      const out = input.slice();
      out.set(chunk, to);
      return out;
    }
    case 1:
      return concat(input.subarray(0, to), chunk, input.subarray(to));
    default:
      return concat(input.subarray(0, from), input.subarray(from + len));
  }
};

/** Overwrites an aligned 32-bit word with an interesting or nearby value. */
export const wordSet: Mutator = (input, r) => {
  const out = input.slice();
  const at = r.int(out.length >> 2) * 4;
  setU32(out, at, fieldValue(u32At(out, at), r));
  return out;
};

/**
 * Flatbuffer-aware: changes the root offset, an entry of the root table's
 * vtable, or a word that looks like an offset or a length (an aligned
 * value below the file size: uoffsets, vector lengths, vtable offsets).
 */
export const flatbufferFields: Mutator = (input, r) => {
  const out = input.slice();
  if (out.length < 8) return out;
  const choice = r.int(3);
  if (choice === 0) {
    setU32(out, 0, fieldValue(u32At(out, 0), r));
    return out;
  }
  if (choice === 1) {
    const table = u32At(out, 0);
    const vtable = table - (u32At(out, table) | 0);
    if (vtable >= 0 && vtable + 4 <= out.length) {
      const size = out[vtable] | (out[vtable + 1] << 8);
      const entry = vtable + 2 * r.int(Math.max(1, Math.min(size, 64) >> 1));
      setU16(out, entry, r.int(3) === 0 ? r.u32() & 0xffff : ((out[entry] | (out[entry + 1] << 8)) + r.int(9) - 4) & 0xffff);
      return out;
    }
  }
  // sample up to 64 aligned words, keep the offset-like ones, change one
  const candidates: number[] = [];
  for (let k = 0; k < 64; k++) {
    const at = r.int(out.length >> 2) * 4;
    const v = u32At(out, at);
    if (v > 0 && v < out.length) candidates.push(at);
  }
  const at = candidates.length > 0 ? r.pick(candidates) : r.int(out.length >> 2) * 4;
  setU32(out, at, fieldValue(u32At(out, at), r));
  return out;
};

/** Field offsets (and widths) of the ELF32 file header, a program header and a section header (System V ABI, ELF32). */
const ELF_HEADER_FIELDS: readonly [number, 2 | 4][] = [
  [16, 2], [18, 2], [20, 4], [24, 4], [28, 4], [32, 4], [36, 4], [40, 2], [42, 2], [44, 2], [46, 2], [48, 2], [50, 2],
];
const PHDR_FIELDS: readonly [number, 2 | 4][] = [[0, 4], [4, 4], [8, 4], [12, 4], [16, 4], [20, 4], [24, 4], [28, 4]];
const SHDR_FIELDS: readonly [number, 2 | 4][] = [[0, 4], [4, 4], [8, 4], [12, 4], [16, 4], [20, 4], [24, 4], [28, 4], [32, 4], [36, 4]];
const SYM_FIELDS: readonly [number, 2 | 4][] = [[0, 4], [4, 4], [8, 4], [12, 2], [14, 2]];

/**
 * ELF-aware: changes one field of the file header, of a program header, of
 * a section header or of a symbol (symbol-table entries found through the
 * section headers), to an interesting, nearby or random value.
 */
export const elfFields: Mutator = (input, r) => {
  const out = input.slice();
  if (out.length < 52) return out;
  const u16 = (at: number): number => out[at] | (out[at + 1] << 8);
  const set = (at: number, [off, width]: [number, 2 | 4]): void => {
    if (width === 4) setU32(out, at + off, fieldValue(u32At(out, at + off), r));
    else setU16(out, at + off, r.int(2) === 0 ? r.pick([0, 1, 0x7fff, 0xffff]) : (u16(at + off) + r.int(5) - 2) & 0xffff);
  };
  const phoff = u32At(out, 28);
  const shoff = u32At(out, 32);
  const phnum = u16(44);
  const shnum = u16(48);
  const symtabs: { off: number; size: number }[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + 40 * i;
    if (at + 40 > out.length) break;
    if (u32At(out, at + 4) === 2) symtabs.push({ off: u32At(out, at + 16), size: u32At(out, at + 20) });
  }
  const where = r.int(4);
  if (where === 1 && phnum > 0) set(phoff + 32 * r.int(phnum), r.pick(PHDR_FIELDS));
  else if (where === 2 && shnum > 0) set(shoff + 40 * r.int(shnum), r.pick(SHDR_FIELDS));
  else if (where === 3 && symtabs.length > 0) {
    const t = r.pick(symtabs);
    const n = Math.floor(t.size / 16);
    if (n > 0 && t.off + 16 * n <= out.length) set(t.off + 16 * r.int(n), r.pick(SYM_FIELDS));
  } else set(0, r.pick(ELF_HEADER_FIELDS));
  return out;
};

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

/** Numbers that break line and row checks: limits of uint32 and of JSON/JS numbers. */
const INTERESTING_NUMBERS = ['0', '1', '-1', '4294967295', '4294967296', '99999999999999999999', '1e308', '-0', '0.5', '007', ''];

/**
 * Log-aware (one line per mutation): deletes, duplicates, swaps or moves a
 * line, replaces one of its numbers with an interesting one, renames a word,
 * or cuts the line short.
 */
export const logLines: Mutator = (input, r) => {
  const lines = text(input).split('\n');
  const i = r.int(lines.length);
  const j = r.int(lines.length);
  switch (r.int(6)) {
    case 0:
      lines.splice(i, 1);
      break;
    case 1:
      lines.splice(i, 0, lines[j]);
      break;
    case 2:
      [lines[i], lines[j]] = [lines[j], lines[i]];
      break;
    case 3: {
      const words = lines[i].split(' ');
      const nums = words.map((w, k) => (/^\d+$/.test(w) ? k : -1)).filter((k) => k >= 0);
      if (nums.length > 0) words[r.pick(nums)] = r.pick(INTERESTING_NUMBERS);
      lines[i] = words.join(' ');
      break;
    }
    case 4: {
      const words = lines[i].split(' ');
      words[r.int(words.length)] = r.pick(['SIMDSE', 'start', 'end', 'image', 'layer', 'fault', 'warmup', 'x', '-', 'conv_2d#1', '\u00e9']);
      lines[i] = words.join(' ');
      break;
    }
    default:
      lines[i] = lines[i].slice(0, r.int(lines[i].length));
  }
  return bytes(lines.join(r.int(4) === 0 ? '\r\n' : '\n'));
};

/** JSON values that break row checks: wrong types, limits, empties. */
const INTERESTING_JSON: readonly unknown[] = [null, 0, -1, 1.5, 1e308, -1e308, 4294967296, '', 'x', true, [], {}, [null], { a: 1 }];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A random path into a JSON value: the containers on the way and the key at the end. */
function randomSlot(value: Json, r: Rng): { parent: Json[] | { [k: string]: Json }; key: string | number } | null {
  let slot: { parent: Json[] | { [k: string]: Json }; key: string | number } | null = null;
  let v = value;
  for (let depth = 0; depth < 6; depth++) {
    if (Array.isArray(v) && v.length > 0) {
      const k = r.int(v.length);
      slot = { parent: v, key: k };
      v = v[k];
    } else if (v !== null && typeof v === 'object' && Object.keys(v).length > 0) {
      const k = r.pick(Object.keys(v));
      slot = { parent: v, key: k };
      v = v[k];
    } else break;
    if (r.int(3) === 0) break;
  }
  return slot;
}

/**
 * JSON-lines-aware (rows of a store file): changes, deletes or retypes one
 * field of one row, duplicates, swaps or drops a row, or cuts a row short.
 */
export const jsonRows: Mutator = (input, r) => {
  const lines = text(input).split('\n');
  const rows = lines.map((l, k) => (l.trim() === '' ? -1 : k)).filter((k) => k >= 0);
  if (rows.length === 0) return input.slice();
  const i = r.pick(rows);
  switch (r.int(8)) {
    case 0:
      lines.splice(r.int(lines.length), 0, lines[i]);
      break;
    case 1: {
      const j = r.pick(rows);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      break;
    }
    case 2:
      lines.splice(i, 1);
      break;
    case 3:
      lines[i] = lines[i].slice(0, r.int(lines[i].length));
      break;
    default: {
      let row: Json;
      try {
        row = JSON.parse(lines[i]) as Json;
      } catch {
        return byteFlips(input, r);
      }
      const slot = randomSlot(row, r);
      if (slot === null) row = r.pick(INTERESTING_JSON) as Json;
      else if (r.int(4) === 0 && !Array.isArray(slot.parent)) delete slot.parent[slot.key];
      else {
        const old = (slot.parent as Record<string | number, Json>)[slot.key];
        const next = typeof old === 'number' && r.int(2) === 0 ? old + r.int(5) - 2 : (r.pick(INTERESTING_JSON) as Json);
        (slot.parent as Record<string | number, Json>)[slot.key] = next;
      }
      lines[i] = JSON.stringify(row);
    }
  }
  return bytes(lines.join('\n'));
};

/** Mutant `index` of `input` under `seed`: 1 to 3 mutations, each by a mutator drawn from `mutators`. */
export function mutant(input: Uint8Array, mutators: readonly Mutator[], seed: number, index: number): Uint8Array {
  const r = rng(seed * 1_000_003 + index);
  let out = input;
  const n = 1 + r.int(3);
  for (let k = 0; k < n; k++) out = r.pick(mutators)(out, r);
  return out;
}

/** How the entry point took one mutant. */
export type Outcome = 'ok' | 'clean' | 'crash';

/** What a fuzz run saw: counts by outcome, slow mutants, and the first crashes (index and message). */
export interface FuzzCounts {
  readonly kind: string;
  readonly mutants: number;
  ok: number;
  clean: number;
  crash: number;
  /** Mutants that took more than {@link SLOW_MS} of CPU time (a real hang never finishes: vitest's timeout stops it). */
  hang: number;
  readonly crashes: { index: number; error: string }[];
  /** Clean error kinds seen, with counts (what the entry point refused, by kind). */
  readonly cleanKinds: Record<string, number>;
  /** Milliseconds the whole run took. */
  ms: number;
  /** The first slow mutants (index and CPU milliseconds), to reproduce. */
  readonly slow: { index: number; ms: number }[];
}

/**
 * A mutant over this many milliseconds of CPU time (this process's: other
 * load on a shared machine does not count) is a would-be hang in the bench's
 * report; never asserted by tests.
 */
export const SLOW_MS = 5000;

/**
 * Mutants for one input of a kind: `dflt`, or with SIM_DSE_FUZZ_MUTANTS (mutants per kind, as
 * bench/fuzz.mjs sets it) that number shared among the kind's `inputs`.
 */
export function mutantCount(dflt: number, inputs = 1): number {
  const env = Number(process.env.SIM_DSE_FUZZ_MUTANTS);
  return Number.isInteger(env) && env > 0 ? Math.ceil(env / inputs) : dflt;
}

/**
 * Runs `count` mutants of `input` through `target`; a throw of anything but
 * a {@link SimDseError} is a crash. Appends the counts as one JSON line to
 * SIM_DSE_FUZZ_COUNTS when set (for bench/fuzz.mjs).
 */
export function fuzz(kind: string, input: Uint8Array, mutators: readonly Mutator[], seed: number, count: number, target: (mutant: Uint8Array, index: number) => void): FuzzCounts {
  const counts: FuzzCounts = { kind, mutants: count, ok: 0, clean: 0, crash: 0, hang: 0, crashes: [], cleanKinds: {}, ms: 0, slow: [] };
  const start = performance.now();
  // SIM_DSE_FUZZ_SEED (bench/fuzz.mjs --seed) moves every kind to other mutants; tests leave it unset
  const base = seed + 1000 * (Number(process.env.SIM_DSE_FUZZ_SEED) || 0);
  for (let i = 0; i < count; i++) {
    const m = mutant(input, mutators, base, i);
    const t0 = process.cpuUsage();
    try {
      target(m, i);
      counts.ok++;
    } catch (err) {
      if (err instanceof SimDseError) {
        counts.clean++;
        counts.cleanKinds[err.kind] = (counts.cleanKinds[err.kind] ?? 0) + 1;
      } else {
        counts.crash++;
        if (counts.crashes.length < 10) counts.crashes.push({ index: i, error: err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 4).join(' | ') : String(err) });
      }
    }
    const used = process.cpuUsage(t0);
    const ms = (used.user + used.system) / 1000;
    if (ms > SLOW_MS) {
      counts.hang++;
      if (counts.slow.length < 10) counts.slow.push({ index: i, ms: Math.round(ms) });
    }
  }
  counts.ms = Math.round(performance.now() - start);
  const file = process.env.SIM_DSE_FUZZ_COUNTS;
  if (file) appendFileSync(file, `${JSON.stringify({ ...counts, seed: base })}\n`);
  return counts;
}
