/**
 * The Gram inverses of `--compensate` with a disk cache, beside the
 * significance cache: keyed by the graph's content, the calibration input
 * bytes, the damping and the compensation code (src/model/compensation), one
 * binary file each in `<cache>/compensation/`. A run, each cluster worker and
 * `export` of a compensated point read them instead of tracing the
 * calibration images and inverting every layer's Gram matrix again (ResNet-8:
 * 3-6 s). The bytes read back are the bytes computed, so a cached
 * compensation refits exactly as a computed one (same compensationDigest).
 * Writes are atomic; a file that fails any check is recomputed and replaced.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeCompensation, type Compensation, type GramInverse } from '../../model/compensation/index.js';
import type { Graph } from '../../model/ir.js';
import { cacheRoot } from '../../util/cache-dir.js';
import { hashCodeTree } from '../../util/code-hash.js';
import { readCacheFile, writeCacheFile } from './cache-file.js';
import { graphHash } from './key.js';
import type { SignificanceSource } from './cache.js';

/** First bytes of a compensation file. */
const MAGIC = 'sim-dse compensation 1\n';

const COMPENSATION_DIR = fileURLToPath(new URL('../../model/compensation/', import.meta.url));
let codeMemo: string | undefined;

/** Hash of the compensation code (a changed refit or inverse never reads an old file). */
function codeHash(): string {
  if (codeMemo === undefined) {
    const h = createHash('sha256');
    hashCodeTree(h, COMPENSATION_DIR);
    codeMemo = h.digest('hex');
  }
  return codeMemo;
}

/** Key (hex sha256) of the compensation of `graph` over `inputs` with `damping`. */
export function compensationKey(graph: Graph, inputs: readonly Uint8Array[], damping: number): string {
  const h = createHash('sha256').update(JSON.stringify({ graph: graphHash(graph), damping, calibration: inputs.length, code: codeHash() }));
  for (const x of inputs) h.update(`${x.byteLength}\0`).update(x);
  return h.digest('hex');
}

/** The layers a file holds, in its header. */
interface Header {
  readonly key: string;
  readonly calibration: number;
  readonly damping: number;
  readonly layers: readonly { readonly opIndex: number; readonly size: number }[];
}

/** The file's bytes: MAGIC, the header's length (4 bytes LE) and JSON, zero padding to 8, every inverse's float64s, their sha256. */
export function encodeCompensation(key: string, c: Compensation): Uint8Array {
  const inverses = [...c.inverses.values()].sort((a, b) => a.opIndex - b.opIndex);
  const header = Buffer.from(JSON.stringify({ key, calibration: c.calibration, damping: c.damping, layers: inverses.map((g) => ({ opIndex: g.opIndex, size: g.size })) } satisfies Header));
  const start = Math.ceil((MAGIC.length + 4 + header.length) / 8) * 8;
  const values = inverses.reduce((n, g) => n + g.values.length, 0);
  const out = Buffer.alloc(start + values * 8 + 32);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, MAGIC.length);
  header.copy(out, MAGIC.length + 4);
  let at = start;
  for (const g of inverses) {
    Buffer.from(g.values.buffer, g.values.byteOffset, g.values.byteLength).copy(out, at);
    at += g.values.byteLength;
  }
  createHash('sha256').update(out.subarray(0, at)).digest().copy(out, at);
  return out;
}

/** A decoded file, or why it cannot be used. */
export type DecodedCompensation = { readonly kind: 'ok'; readonly key: string; readonly value: Compensation } | { readonly kind: 'corrupt'; readonly reason: string };

/** Reads {@link encodeCompensation}'s bytes back (the inverses' values copied out, so they are 8-byte aligned). */
export function decodeCompensation(bytes: Uint8Array): DecodedCompensation {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (reason: string): DecodedCompensation => ({ kind: 'corrupt', reason });
  if (b.length < MAGIC.length + 4 + 32 || b.toString('latin1', 0, MAGIC.length) !== MAGIC) return bad('not a compensation file');
  const end = b.length - 32;
  if (!createHash('sha256').update(b.subarray(0, end)).digest().equals(b.subarray(end))) return bad('checksum differs');
  const length = b.readUInt32LE(MAGIC.length);
  let header: Header;
  try {
    header = JSON.parse(b.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + length)) as Header;
  } catch {
    return bad('header is not JSON');
  }
  let at = Math.ceil((MAGIC.length + 4 + length) / 8) * 8;
  if (at + header.layers.reduce((n, l) => n + l.size * l.size * 8, 0) !== end) return bad('size differs from its header');
  const inverses = new Map<number, GramInverse>();
  for (const { opIndex, size } of header.layers) {
    const values = new Float64Array(size * size);
    new Uint8Array(values.buffer).set(b.subarray(at, at + values.byteLength));
    at += values.byteLength;
    inverses.set(opIndex, { opIndex, size, values });
  }
  return { kind: 'ok', key: header.key, value: { calibration: header.calibration, damping: header.damping, inverses } };
}

/** A compensation and where it came from. */
export interface LoadedCompensation {
  readonly compensation: Compensation;
  readonly source: SignificanceSource;
  readonly path: string;
}

/**
 * The compensation of `graph` over the calibration `inputs` with `damping`: from the cache when a valid file
 * exists, else computed (computeCompensation) and cached.
 * @throws FileError when the cache folder or file cannot be read or written
 */
export function loadCompensation(graph: Graph, inputs: readonly Uint8Array[], damping: number, dir: string = join(cacheRoot(), 'compensation')): LoadedCompensation {
  const key = compensationKey(graph, inputs, damping);
  const safe = graph.name.replace(/[^A-Za-z0-9_.-]/g, '_') || 'model';
  const path = join(dir, `${safe}-n${inputs.length}-${key.slice(0, 16)}.comp`);
  let reason: string | null = null;
  const bytes = readCacheFile(path, 'compensation');
  if (bytes !== null) {
    const decoded = decodeCompensation(bytes);
    reason = decoded.kind === 'corrupt' ? decoded.reason : decoded.key !== key ? 'key differs' : null;
    if (decoded.kind === 'ok' && reason === null) return { compensation: decoded.value, source: { kind: 'cache' }, path };
  }
  const compensation = computeCompensation(graph, inputs, damping);
  writeCacheFile(path, encodeCompensation(key, compensation), 'compensation');
  return { compensation, source: reason === null ? { kind: 'computed' } : { kind: 'recomputed', reason }, path };
}

/** One log line for a loaded compensation that took `seconds`: layers, images, where it came from. */
export function describeLoadedCompensation(loaded: LoadedCompensation, seconds: number): string {
  const c = loaded.compensation;
  const how = loaded.source.kind === 'cache' ? 'cache' : `${loaded.source.kind}${loaded.source.kind === 'recomputed' ? ` (${loaded.source.reason})` : ''} in ${seconds.toFixed(1)} s`;
  return `compensation: Gram inverses of ${c.inverses.size} layers over ${c.calibration} calibration images: ${how} (${loaded.path})`;
}
