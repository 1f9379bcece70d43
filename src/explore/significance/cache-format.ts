/**
 * The significance cache file: compact and self-checking.
 *
 *     bytes 0..7   "SDSESIG1" (ASCII magic)
 *     bytes 8..11  header length H (uint32 LE)
 *     H bytes      header: JSON (UTF-8), padded with spaces to a multiple of 4
 *     payload      every layer's values as Float32 LE, layers in header order
 *
 * The header holds the key, model, metric, calibration count, each layer's
 * operator index, kind, channels, reduction, input channels and value count, and the sha256
 * of the payload. Decoding checks all of it; any mismatch is reported as a
 * reason, never trusted.
 */
import { createHash } from 'node:crypto';
import type { LayerKind } from './layout.js';
import { SIGNIFICANCE_METRICS, type SignificanceMetric } from './metric.js';
import type { LayerSignificance } from './types.js';

const MAGIC = 'SDSESIG1';

/** One layer as stored (values without weights). */
export type StoredLayer = Pick<LayerSignificance, 'opIndex' | 'kind' | 'channels' | 'reduction' | 'inputChannels' | 'values'>;

/** Contents of a cache file. */
export interface StoredSignificance {
  readonly key: string;
  readonly model: string;
  readonly metric: SignificanceMetric;
  readonly calibration: number;
  readonly layers: readonly StoredLayer[];
}

/** Result of decoding a cache file. */
export type DecodeResult = { readonly kind: 'ok'; readonly value: StoredSignificance } | { readonly kind: 'corrupt'; readonly reason: string };

interface Header {
  readonly key: string;
  readonly model: string;
  readonly metric: SignificanceMetric;
  readonly calibration: number;
  readonly layers: ReadonlyArray<{ opIndex: number; kind: LayerKind; channels: number; reduction: number; inputChannels: number; count: number }>;
  readonly payloadBytes: number;
  readonly payloadSha256: string;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Encodes significance as cache file bytes (deterministic). */
export function encodeSignificance(s: StoredSignificance): Uint8Array {
  const total = s.layers.reduce((n, l) => n + l.values.length, 0);
  const payload = new Uint8Array(total * 4);
  const view = new DataView(payload.buffer);
  let off = 0;
  for (const l of s.layers) {
    for (let i = 0; i < l.values.length; i++, off += 4) view.setFloat32(off, l.values[i], true);
  }
  const header: Header = {
    key: s.key,
    model: s.model,
    metric: s.metric,
    calibration: s.calibration,
    layers: s.layers.map((l) => ({ opIndex: l.opIndex, kind: l.kind, channels: l.channels, reduction: l.reduction, inputChannels: l.inputChannels, count: l.values.length })),
    payloadBytes: payload.length,
    payloadSha256: sha256(payload),
  };
  let json = JSON.stringify(header);
  const raw = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((4 - (raw % 4)) % 4);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(12 + headerBytes.length + payload.length);
  out.set(Buffer.from(MAGIC, 'ascii'), 0);
  new DataView(out.buffer).setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  out.set(payload, 12 + headerBytes.length);
  return out;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Decodes cache file bytes, checking magic, header, sizes and the payload hash. */
export function decodeSignificance(bytes: Uint8Array): DecodeResult {
  const bad = (reason: string): DecodeResult => ({ kind: 'corrupt', reason });
  if (bytes.length < 12 || Buffer.from(bytes.subarray(0, 8)).toString('ascii') !== MAGIC) return bad('not a significance cache file (bad magic)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hLen = dv.getUint32(8, true);
  if (hLen % 4 !== 0 || 12 + hLen > bytes.length) return bad(`header length ${hLen} does not fit the file`);
  let h: Header;
  try {
    h = JSON.parse(Buffer.from(bytes.subarray(12, 12 + hLen)).toString('utf8')) as Header;
  } catch {
    return bad('header is not valid JSON');
  }
  if (typeof h !== 'object' || h === null || typeof h.key !== 'string' || typeof h.model !== 'string' || typeof h.payloadSha256 !== 'string') return bad('header fields missing');
  if (!SIGNIFICANCE_METRICS.includes(h.metric) || !isCount(h.calibration) || !isCount(h.payloadBytes) || !Array.isArray(h.layers)) return bad('header fields malformed');
  const payload = bytes.subarray(12 + hLen);
  if (payload.length !== h.payloadBytes) return bad(`payload has ${payload.length} bytes, header says ${h.payloadBytes}`);
  if (sha256(payload) !== h.payloadSha256) return bad('payload checksum mismatch');
  const pv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const layers: StoredLayer[] = [];
  let off = 0;
  for (const l of h.layers) {
    if (!isCount(l.opIndex) || !isCount(l.channels) || !isCount(l.reduction) || !isCount(l.inputChannels) || !isCount(l.count) || !['conv', 'depthwise', 'fc'].includes(l.kind)) return bad('layer entry malformed');
    if (l.count !== l.channels * l.reduction || off + l.count * 4 > payload.length) return bad(`layer ${l.opIndex}: ${l.count} values do not fit`);
    const values = new Float32Array(l.count);
    for (let i = 0; i < l.count; i++, off += 4) values[i] = pv.getFloat32(off, true);
    layers.push({ opIndex: l.opIndex, kind: l.kind, channels: l.channels, reduction: l.reduction, inputChannels: l.inputChannels, values });
  }
  if (off !== payload.length) return bad('payload longer than its layers');
  return { kind: 'ok', value: { key: h.key, model: h.model, metric: h.metric, calibration: h.calibration, layers } };
}
