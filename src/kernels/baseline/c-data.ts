/**
 * Formatting of compile-time data for generated C: integer arrays as
 * `static const` definitions and C identifiers checked. Pure string
 * functions; output is deterministic (same values, same text).
 */
import { SimDseError } from '../../util/errors.js';

/** C element type of a generated array. */
export type CArrayType = 'int8_t' | 'int32_t';

const PER_LINE: Record<CArrayType, number> = { int8_t: 24, int32_t: 8 };

/** One int32 value as a C constant expression (INT32_MIN has no literal of type int). */
export function cInt32(v: number): string {
  return v === -2147483648 ? '(-2147483647 - 1)' : String(v);
}

/**
 * `static const <type> <name>[n] = {...};` aligned to 4 bytes (word loads of
 * int8 rows start aligned when the row length is a multiple of 4). An empty
 * array gets one 0 element so that the C is valid.
 */
export function cArray(type: CArrayType, name: string, values: ArrayLike<number>): string {
  const items = values.length === 0 ? ['0'] : Array.from(values, (v) => cInt32(v));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += PER_LINE[type]) lines.push(`  ${items.slice(i, i + PER_LINE[type]).join(', ')},`);
  return `static const ${type} ${name}[${items.length}] __attribute__((aligned(4))) = {\n${lines.join('\n')}\n};\n`;
}

/** Throws unless `name` is a C identifier (the layer function's name). */
export function checkCIdentifier(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SimDseError('kernels', `'${name}' is not a C identifier`);
}
