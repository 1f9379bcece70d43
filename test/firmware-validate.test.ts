import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readFirmwareRun } from '../src/firmware/firmware-run.js';
import { type LineRecord, formatLine } from '../src/firmware/protocol.js';
import { formatValidation, validateRun } from '../src/firmware/validate.js';
import { cli, fakeRow, writeFakeRun } from './helpers/firmware-fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'sim-dse-fw-validate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LENET = { name: 'lenet', sha256: 'b098b746f2be1cc697eb540e45a28c5760b6e8fe9449b0cede27533ae0445f93', file: 'lenet-cifar10-int8.tflite' };
// LeNet's seven device layers; the store predicts the five maskable ones (operators 1, 3, 5, 7, 8) and the whole inference
const layerNames = ['conv_2d#1', 'max_pool_2d#2', 'conv_2d#3', 'max_pool_2d#4', 'conv_2d#5', 'fully_connected#7', 'fully_connected#8'];
const measured = [
  [1000, 300, 800, 100, 400, 200, 50],
  [1000, 302, 800, 100, 400, 200, 50],
];
const totals = [2850, 2852];

function log(layerCycles: number[][], inferenceCycles: number[], board = 'nucleo-f446re', point = 'r1/1', names = layerNames): string {
  const recs: LineRecord[] = [
    { kind: 'start', board, hz: 180000000, clock: 'ok', layers: names.length, images: layerCycles.length, point },
    { kind: 'warmup', cycles: 1560 },
  ];
  layerCycles.forEach((cycles, i) => {
    cycles.slice(0, names.length).forEach((c, k) => recs.push({ kind: 'layer', image: i, index: k, name: names[k], cycles: c }));
    recs.push({ kind: 'image', index: i, label: 3, pred: 3, cycles: inferenceCycles[i] });
  });
  recs.push({ kind: 'end', images: layerCycles.length, correct: layerCycles.length });
  return recs.map((r) => `${formatLine(r)}\r\n`).join('');
}

const runs = join(tmp, 'runs');
writeFakeRun(join(runs, 'r1'), LENET, 'nucleo-f446re', [
  fakeRow(0, [1, 3, 5, 7, 8].map((opIndex, k) => ({ opIndex, cycles: [900, 700, 300, 100, 40][k] })), { cycles: 2100 }),
  fakeRow(1, [1, 3, 5, 7, 8].map((opIndex, k) => ({ opIndex, cycles: [1000, 800, 400, 200, 50][k] })), { cycles: 2851 }),
]);
const recorded = join(tmp, 'recorded.log');
writeFileSync(recorded, log(measured, totals));

describe('validate', () => {
  test('a log that matches the prediction reports zero error', async () => {
    const r = await cli(['validate', '--log', recorded, '--run', 'r1', '--point', '1', '--runs', runs, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const v = JSON.parse(r.out);
    expect(v.layers.map((l: { predicted: number | null; measured: number; errorPercent: number | null }) => [l.predicted, l.measured, l.errorPercent])).toEqual([
      [1000, 1000, 0],
      [null, 301, null],
      [800, 800, 0],
      [null, 100, null],
      [400, 400, 0],
      [200, 200, 0],
      [50, 50, 0],
    ]);
    expect(v.total).toEqual({ predicted: 2851, measured: 2851, min: 2850, max: 2852, errorPercent: 0 });
    expect([v.board, v.images, v.correct]).toEqual(['nucleo-f446re', 2, 2]);
  });

  test('edited cycle counts give the right per-layer errors', async () => {
    const edited = join(tmp, 'edited.log');
    writeFileSync(edited, log([[1250, 300, 800, 100, 400, 160, 50], [1250, 302, 800, 100, 400, 160, 50]], [3060, 3062]));
    const r = await cli(['validate', '--log', edited, '--run', 'r1', '--point', '1', '--runs', runs, '--json']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.out);
    // (predicted - measured) / measured: (1000 - 1250) / 1250 = -20 %, (200 - 160) / 160 = +25 %, (2851 - 3061) / 3061
    expect(v.layers.map((l: { errorPercent: number | null }) => l.errorPercent)).toEqual([-20, null, 0, null, 0, 25, 0]);
    expect(v.total.errorPercent).toBeCloseTo(((2851 - 3061) / 3061) * 100, 12);
    const text = await cli(['validate', '--log', edited, '--run', 'r1', '--point', '1', '--runs', runs]);
    expect(text.out).toContain('    0  conv_2d#1               1000      1250  1250  1250  -20.00%');
    expect(text.out).toContain('    5  fully_connected#7        200       160   160   160  +25.00%');
  });

  test('the text table', () => {
    const v = validateRun(readFirmwareRun(log(measured, totals), 'x'), { board: 'nucleo-f446re', cycles: 2851, layers: [1000, null, 800, null, 400, 200, 50] });
    expect(formatValidation(v)).toBe(
      [
        'nucleo-f446re at 180 MHz (clock ok), 2 images, 2 correct',
        'cycles: predicted vs measured (mean over images); error = (predicted - measured) / measured',
        'predicted: the sum of layer variants timed alone (maskable layers only; the point was not timed as a whole firmware)',
        'layer  name               predicted  measured   min   max   error',
        '    0  conv_2d#1               1000      1000  1000  1000  +0.00%',
        '    1  max_pool_2d#2              -       301   300   302       -',
        '    2  conv_2d#3                800       800   800   800  +0.00%',
        '    3  max_pool_2d#4              -       100   100   100       -',
        '    4  conv_2d#5                400       400   400   400  +0.00%',
        '    5  fully_connected#7        200       200   200   200  +0.00%',
        '    6  fully_connected#8         50        50    50    50  +0.00%',
        'total  inference               2851      2851  2850  2852  +0.00%',
      ].join('\n'),
    );
  });

  test('a log from another board or with another layer count is refused', async () => {
    const other = join(tmp, 'other.log');
    writeFileSync(other, log(measured, totals, 'nucleo-l4r5zi'));
    const r = await cli(['validate', '--log', other, '--run', 'r1', '--point', '1', '--runs', runs]);
    expect([r.code, r.err]).toEqual([1, 'sim-dse: the log was printed by nucleo-l4r5zi, but the prediction is for nucleo-f446re\n']);
  });

  test.each([
    ['another point of the same run', log(measured, totals, 'nucleo-f446re', 'r1/0'), 'the log is of point r1/0, not r1/1'],
    ['a firmware not exported from a run', log(measured, totals, 'nucleo-f446re', '-'), 'the log names no design point (a firmware not exported from a run, e.g. by sim-dse build); export point r1/1 and run that'],
    ['a log with no layers', log(measured, totals, 'nucleo-f446re', 'r1/1', []), "the log has 0 layers; point r1/1's network has 7 layers: conv_2d#1, max_pool_2d#2, conv_2d#3, max_pool_2d#4, ..."],
    ['a log of another network', log(measured, totals, 'nucleo-f446re', 'r1/1', layerNames.slice(0, 3)), "the log has 3 layers: conv_2d#1, max_pool_2d#2, conv_2d#3; point r1/1's network has 7 layers: conv_2d#1, max_pool_2d#2, conv_2d#3, max_pool_2d#4, ..."],
  ])('%s is refused, not compared', async (name, text, message) => {
    const file = join(tmp, `${name.replace(/ /g, '-')}.log`);
    writeFileSync(file, text);
    expect(await cli(['validate', '--log', file, '--run', 'r1', '--point', '1', '--runs', runs])).toEqual({ code: 1, out: '', err: `sim-dse: ${message}\n` });
  });

  test('bad input: one clear line and a non-zero exit', async () => {
    const base = ['--run', 'r1', '--point', '1', '--runs', runs];
    expect(await cli(['validate', '--log', join(tmp, 'missing.log'), ...base])).toEqual({ code: 1, out: '', err: `sim-dse: cannot read log file ${join(tmp, 'missing.log')} (ENOENT)\n` });
    expect(await cli(['validate', '--serial', '/dev/ttyNOPE0', ...base])).toEqual({
      code: 1,
      out: '',
      err: 'sim-dse: cannot open serial port /dev/ttyNOPE0: No such file or directory, cannot open /dev/ttyNOPE0\n',
    });
    expect(await cli(['validate', '--log', recorded, '--run', 'r1', '--point', '7', '--runs', runs])).toEqual({ code: 2, out: '', err: 'sim-dse: run r1 has no point 7 (its points are 0..1)\n' });
    expect(await cli(['validate', '--log', recorded, '--run', 'nope', '--point', '0', '--runs', runs])).toEqual({ code: 2, out: '', err: `sim-dse: run nope not found (no folder ${join(runs, 'nope')}; see --runs)\n` });
    expect((await cli(['validate', '--run', 'r1', '--point', '1', '--runs', runs])).err).toBe('sim-dse: give one of --serial <port> or --log <file>\n');
    const cut = join(tmp, 'cut.log');
    writeFileSync(cut, log(measured, totals).split('\r\n').slice(0, 7).join('\r\n'));
    expect((await cli(['validate', '--log', cut, ...base])).err).toBe(`sim-dse: ${cut}:7: the run that starts on line 1 has no 'SIMDSE end' line (output cut short?)\n`);
  });

  const python = spawnSync('python3', ['--version']).status === 0;
  if (!python) console.warn('firmware-validate: python3 is not installed; the pseudo-terminal test is skipped');
  /**
   * python3 opens a pty pair and prints the slave's path, then writes boot
   * noise and the log to the master: all but its last `tail` bytes, and those
   * 0.5 s later (a line split across two USB packets).
   */
  function ptyWriter(file: string, tail = 0): { port: Promise<string>; kill: () => void } {
    const script = [
      'import os, pty, sys, time',
      'm, s = pty.openpty()',
      'print(os.ttyname(s), flush=True)',
      'time.sleep(0.5)',
      'data = b"boot\\r\\n" + open(sys.argv[1], "rb").read()',
      'cut = len(data) - int(sys.argv[2])',
      'os.write(m, data[:cut])',
      'time.sleep(0.5)',
      'os.write(m, data[cut:])',
      'time.sleep(10)',
    ].join('\n');
    const writer = spawn('python3', ['-c', script, file, String(tail)], { stdio: ['ignore', 'pipe', 'inherit'] });
    return { port: new Promise<string>((resolve) => writer.stdout.once('data', (b: Buffer) => resolve(b.toString().trim()))), kill: () => writer.kill() };
  }

  test.skipIf(!python)('--serial reads the run from a pseudo-terminal', async () => {
    const writer = ptyWriter(recorded);
    try {
      const port = await writer.port;
      const saved = join(tmp, 'saved.log');
      const r = await cli(['validate', '--serial', port, '--save', saved, '--run', 'r1', '--point', '1', '--runs', runs, '--json', '--timeout', '20']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).layers.map((l: { errorPercent: number | null }) => l.errorPercent)).toEqual([0, null, 0, null, 0, 0, 0]);
      expect(r.err.split('\n')[0]).toBe('boot');
      const again = await cli(['validate', '--log', saved, '--run', 'r1', '--point', '1', '--runs', runs, '--json']);
      expect(again.out).toBe(r.out);
    } finally {
      writer.kill();
    }
  }, 30_000);

  test.skipIf(!python)('--serial waits for the end line to be complete (split after "correct 1" of "correct 12")', async () => {
    const twelve = join(tmp, 'twelve.log');
    writeFileSync(twelve, log(Array.from({ length: 12 }, () => measured[0]), Array.from({ length: 12 }, () => 2850)));
    const writer = ptyWriter(twelve, 3); // the last packet: "2\r\n"
    try {
      const r = await cli(['validate', '--serial', await writer.port, '--run', 'r1', '--point', '1', '--runs', runs, '--json', '--timeout', '20']);
      expect([r.code, r.err.split('\n').filter((l) => l.startsWith('sim-dse'))]).toEqual([0, []]);
      const v = JSON.parse(r.out);
      expect([v.images, v.correct, v.total.measured]).toEqual([12, 12, 2850]);
    } finally {
      writer.kill();
    }
  }, 30_000);
});
