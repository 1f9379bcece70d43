/**
 * The lines an exported firmware prints, defined once: the C printers in
 * the firmware (generated from {@link LINE_SPECS} by {@link reportSources}),
 * the formatter of the same text on the host and the parser of a board's or
 * emulator's output all come from this one table.
 *
 * Every line is `SIMDSE <kind>` followed by `<key> <value>` pairs in a fixed
 * order, ending in CR LF, e.g.
 *
 *     SIMDSE start board nucleo-f446re hz 180000000 clock ok layers 7 images 10 point lenet-0123456789/17
 *     SIMDSE warmup cycles 1234567
 *     SIMDSE layer image 0 index 3 name conv_3 cycles 123456
 *     SIMDSE image index 0 label 3 pred 3 cycles 1234567
 *     SIMDSE end images 10 correct 9
 *     SIMDSE fault vector 3
 *
 * Values are unsigned 32-bit decimals (`uint`) or words without white space (`word`).
 */
import type { CSource } from '../kernels/compile/compile.js';

/** Value type of a field: an unsigned 32-bit decimal or a word without white space. */
export type FieldType = 'uint' | 'word';

/** One `<key> <value>` pair of a line. */
export interface FieldSpec {
  readonly key: string;
  readonly type: FieldType;
}

/** The line kinds and their fields, in print order. */
export const LINE_SPECS = {
  start: [
    { key: 'board', type: 'word' },
    { key: 'hz', type: 'uint' },
    { key: 'clock', type: 'word' },
    { key: 'layers', type: 'uint' },
    { key: 'images', type: 'uint' },
    { key: 'point', type: 'word' },
  ],
  warmup: [{ key: 'cycles', type: 'uint' }],
  layer: [
    { key: 'image', type: 'uint' },
    { key: 'index', type: 'uint' },
    { key: 'name', type: 'word' },
    { key: 'cycles', type: 'uint' },
  ],
  image: [
    { key: 'index', type: 'uint' },
    { key: 'label', type: 'uint' },
    { key: 'pred', type: 'uint' },
    { key: 'cycles', type: 'uint' },
  ],
  end: [
    { key: 'images', type: 'uint' },
    { key: 'correct', type: 'uint' },
  ],
  fault: [{ key: 'vector', type: 'uint' }],
} as const satisfies Record<string, readonly FieldSpec[]>;

/** Prefix of every line. */
export const LINE_TAG = 'SIMDSE';

/** A line kind. */
export type LineKind = keyof typeof LINE_SPECS;

type FieldValue<T extends FieldType> = T extends 'uint' ? number : string;
type FieldsOf<S extends readonly FieldSpec[]> = { readonly [F in S[number] as F['key']]: FieldValue<F['type']> };

/** One parsed line, tagged by kind, with one property per field. */
export type LineRecord = { [K in LineKind]: { readonly kind: K } & FieldsOf<(typeof LINE_SPECS)[K]> }[LineKind];

/** A record of one kind. */
export type LineOf<K extends LineKind> = Extract<LineRecord, { kind: K }>;

const KINDS = Object.keys(LINE_SPECS) as LineKind[];
const UINT_MAX = 0xffff_ffff;

/** The text of one line (without the line ending). Throws on a value the firmware could not print. */
export function formatLine(record: LineRecord): string {
  const fields = LINE_SPECS[record.kind] as readonly FieldSpec[];
  const values = record as unknown as Record<string, number | string>;
  const parts: string[] = [LINE_TAG, record.kind];
  for (const f of fields) {
    const v = values[f.key];
    if (f.type === 'uint' ? !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= UINT_MAX) : !/^\S+$/.test(String(v))) {
      throw new Error(`SIMDSE ${record.kind}: ${f.key} ${JSON.stringify(v)} is not a ${f.type}`);
    }
    parts.push(f.key, String(v));
  }
  return parts.join(' ');
}

/** Result of reading one line of output: not a SIMDSE line, a record, or a malformed SIMDSE line. */
export type ParsedLine =
  | { readonly kind: 'other' }
  | { readonly kind: 'record'; readonly record: LineRecord }
  | { readonly kind: 'malformed'; readonly message: string };

/** Parses one line of firmware output (surrounding white space ignored). */
export function parseLine(text: string): ParsedLine {
  const words = text.trim().split(/\s+/);
  if (words[0] !== LINE_TAG) return { kind: 'other' };
  const kind = words[1] as LineKind;
  if (!KINDS.includes(kind)) return { kind: 'malformed', message: `unknown line kind ${JSON.stringify(words[1] ?? '')}` };
  const fields = LINE_SPECS[kind] as readonly FieldSpec[];
  if (words.length !== 2 + 2 * fields.length) {
    return { kind: 'malformed', message: `a ${kind} line has ${fields.length} key-value pairs (${fields.map((f) => f.key).join(', ')})` };
  }
  const out: Record<string, number | string> = { kind };
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const key = words[2 + 2 * i];
    const value = words[3 + 2 * i];
    if (key !== f.key) return { kind: 'malformed', message: `${kind} line: expected '${f.key}', found '${key}'` };
    if (f.type === 'uint') {
      if (!/^[0-9]{1,10}$/.test(value) || Number(value) > UINT_MAX) {
        return { kind: 'malformed', message: `${kind} line: ${f.key} '${value}' is not an unsigned 32-bit number` };
      }
      out[f.key] = Number(value);
    } else {
      out[f.key] = value;
    }
  }
  return { kind: 'record', record: out as unknown as LineRecord };
}

function cName(kind: LineKind): string {
  return `simdse_line_${kind}`;
}

function cPrototype(kind: LineKind): string {
  const params = (LINE_SPECS[kind] as readonly FieldSpec[]).map((f) => (f.type === 'uint' ? `uint32_t ${f.key}` : `const char *${f.key}`));
  return `void ${cName(kind)}(${params.join(', ')})`;
}

/**
 * The firmware's line printers as C: `simdse_report.h` declares one
 * `simdse_line_<kind>(...)` per line kind, `simdse_report.c` defines them on
 * top of the board's `simdse_putc`.
 */
export function reportSources(): CSource[] {
  const header = [
    '/* Generated by sim-dse from src/firmware/protocol.ts: one printer per SIMDSE line kind. */',
    '#ifndef SIMDSE_REPORT_H',
    '#define SIMDSE_REPORT_H',
    '#include <stdint.h>',
    ...KINDS.map((k) => `${cPrototype(k)};`),
    '#endif',
    '',
  ].join('\n');
  const bodies = KINDS.map((k) => {
    const fields = LINE_SPECS[k] as readonly FieldSpec[];
    const lines = [`  put_str("${LINE_TAG} ${k}");`];
    for (const f of fields) {
      lines.push(`  put_str(" ${f.key} ");`);
      lines.push(f.type === 'uint' ? `  put_u32(${f.key});` : `  put_str(${f.key});`);
    }
    lines.push('  put_str("\\r\\n");');
    return `${cPrototype(k)} {\n${lines.join('\n')}\n}\n`;
  });
  const code = [
    '/* Generated by sim-dse from src/firmware/protocol.ts: one printer per SIMDSE line kind. */',
    '#include "simdse_board.h"',
    '#include "simdse_report.h"',
    '',
    'static void put_str(const char *s) {',
    '  while (*s) simdse_putc(*s++);',
    '}',
    '',
    '/* Unsigned decimal without leading zeros. */',
    'static void put_u32(uint32_t v) {',
    '  char digits[10];',
    '  int n = 0;',
    '  do {',
    "    digits[n++] = (char)('0' + v % 10u);",
    '    v /= 10u;',
    '  } while (v != 0u);',
    '  while (n > 0) simdse_putc(digits[--n]);',
    '}',
    '',
    ...bodies,
  ].join('\n');
  return [
    { name: 'simdse_report.h', code: header },
    { name: 'simdse_report.c', code },
  ];
}
