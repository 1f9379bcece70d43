import { describe, expect, test } from 'vitest';
import { readFirmwareRun } from '../src/firmware/firmware-run.js';
import { type LineRecord, formatLine, parseLine, reportSources } from '../src/firmware/protocol.js';

const records: LineRecord[] = [
  { kind: 'start', board: 'nucleo-f446re', hz: 180000000, clock: 'ok', layers: 2, images: 2, point: 'lenet-0123456789/17' },
  { kind: 'warmup', cycles: 4321 },
  { kind: 'layer', image: 0, index: 0, name: 'conv_2d#0', cycles: 1000 },
  { kind: 'layer', image: 0, index: 1, name: 'fully_connected#1', cycles: 200 },
  { kind: 'image', index: 0, label: 3, pred: 3, cycles: 1234 },
  { kind: 'layer', image: 1, index: 0, name: 'conv_2d#0', cycles: 1001 },
  { kind: 'layer', image: 1, index: 1, name: 'fully_connected#1', cycles: 200 },
  { kind: 'image', index: 1, label: 5, pred: 2, cycles: 1235 },
  { kind: 'end', images: 2, correct: 1 },
];
const log = records.map((r) => `${formatLine(r)}\r\n`).join('');

describe('SIMDSE line protocol', () => {
  test('formats the documented lines', () => {
    expect(formatLine(records[0])).toBe('SIMDSE start board nucleo-f446re hz 180000000 clock ok layers 2 images 2 point lenet-0123456789/17');
    expect(formatLine(records[2])).toBe('SIMDSE layer image 0 index 0 name conv_2d#0 cycles 1000');
    expect(formatLine(records[4])).toBe('SIMDSE image index 0 label 3 pred 3 cycles 1234');
    expect(formatLine({ kind: 'fault', vector: 3 })).toBe('SIMDSE fault vector 3');
  });

  test('every formatted line parses back to the same record', () => {
    for (const r of [...records, { kind: 'fault', vector: 3 } as const]) expect(parseLine(formatLine(r))).toEqual({ kind: 'record', record: r });
    expect(parseLine('SIMDSE warmup cycles 4294967295')).toEqual({ kind: 'record', record: { kind: 'warmup', cycles: 4294967295 } });
  });

  test('other text is ignored, malformed SIMDSE lines are reported', () => {
    expect(parseLine('hello world')).toEqual({ kind: 'other' });
    expect(parseLine('')).toEqual({ kind: 'other' });
    expect(parseLine('SIMDSE warmup cycles 4294967296')).toEqual({ kind: 'malformed', message: "warmup line: cycles '4294967296' is not an unsigned 32-bit number" });
    expect(parseLine('SIMDSE warmup cycles -1')).toEqual({ kind: 'malformed', message: "warmup line: cycles '-1' is not an unsigned 32-bit number" });
    expect(parseLine('SIMDSE image label 3 index 0 pred 3 cycles 1')).toEqual({ kind: 'malformed', message: "image line: expected 'index', found 'label'" });
    expect(parseLine('SIMDSE bogus x 1')).toEqual({ kind: 'malformed', message: 'unknown line kind "bogus"' });
    expect(parseLine('SIMDSE end images 2')).toEqual({ kind: 'malformed', message: 'a end line has 2 key-value pairs (images, correct)' });
  });

  test('the C printers are generated from the same table', () => {
    const [h, c] = reportSources();
    expect(h.name).toBe('simdse_report.h');
    expect(h.code).toContain('void simdse_line_layer(uint32_t image, uint32_t index, const char *name, uint32_t cycles);');
    expect(c.code).toContain('put_str("SIMDSE layer");\n  put_str(" image ");\n  put_u32(image);');
  });
});

describe('reading a run', () => {
  test('a complete log gives every measurement', () => {
    const run = readFirmwareRun(`boot noise\n${log}`, 'board.log');
    expect(run).toEqual({
      board: 'nucleo-f446re',
      coreHz: 180000000,
      clock: 'ok',
      layerCount: 2,
      point: 'lenet-0123456789/17',
      warmupCycles: 4321,
      correct: 1,
      images: [
        { index: 0, label: 3, pred: 3, cycles: 1234, layers: [{ index: 0, name: 'conv_2d#0', cycles: 1000 }, { index: 1, name: 'fully_connected#1', cycles: 200 }] },
        { index: 1, label: 5, pred: 2, cycles: 1235, layers: [{ index: 0, name: 'conv_2d#0', cycles: 1001 }, { index: 1, name: 'fully_connected#1', cycles: 200 }] },
      ],
    });
  });

  test('the last complete run wins (the board was reset twice)', () => {
    const second = log.replace('cycles 4321', 'cycles 999');
    expect(readFirmwareRun(`${log.slice(0, 200)}\n${second}`, 'x').warmupCycles).toBe(999);
    expect(() => readFirmwareRun(`${second}${log.slice(0, 200)}`, 'x')).toThrow('x:13: a layer line has 4 key-value pairs (image, index, name, cycles)');
  });

  test('incomplete or inconsistent logs are clear errors', () => {
    expect(() => readFirmwareRun('nothing here\n', 'a.log')).toThrow("a.log: no 'SIMDSE start' line");
    const lines = log.split('\r\n');
    expect(() => readFirmwareRun(lines.slice(0, 6).join('\n'), 'a.log')).toThrow("a.log:6: the run that starts on line 1 has no 'SIMDSE end' line (output cut short?)");
    expect(() => readFirmwareRun([...lines.slice(0, 3), ...lines.slice(4)].join('\n'), 'a.log')).toThrow('a.log:4: image 0 has 1 layer lines, the start line says 2');
    expect(() => readFirmwareRun(log.replace('correct 1', 'correct 2'), 'a.log')).toThrow('a.log:9: end line says 2 correct, the image lines 1');
    expect(() => readFirmwareRun(`${lines.slice(0, 4).join('\n')}\nSIMDSE fault vector 3\n`, 'a.log')).toThrow('a.log:5: the firmware stopped with a fault (exception 3)');
    expect(() => readFirmwareRun(log.replace('cycles 200', 'cycles x'), 'a.log')).toThrow("a.log:4: layer line: cycles 'x' is not an unsigned 32-bit number");
  });
});
