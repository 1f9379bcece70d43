import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../src/util/paths.js';
import { BUILT_CLI, builtCli } from './helpers/cli.js';
import { files } from './helpers/run-files.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite')) && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));

/** A small LeNet run: 3 x 3 grid of two conv layers, tiny image sets, analytic latency. */
const tiny = ['--model', 'lenet', '--layers', '3,5', '--levels', '0,0.2,0.4', '--images', '30', '--full-images', '60', '--latency', 'macs', '--no-seed-grid'];
/** A run long enough to interrupt: NSGA-II, 4 layers, 60 points on 200 images. */
const longer = ['--model', 'lenet', '--layers', '1,3,5,7', '--levels', '0,0.1,0.2,0.3,0.4', '--search', 'nsga2', '--budget', '60', '--population', '10', '--images', '200', '--full-images', '300', '--latency', 'macs', '--no-seed-grid', '--id', 'r'];

describe.skipIf(!have)('sim-dse run: bad input gives one line and a non-zero exit', () => {
  const out = mkdtempSync(join(tmpdir(), 'cli-run-bad-'));
  it.each([
    [['--model', 'vgg16'], 1, 'sim-dse: unknown model "vgg16"; known: lenet, resnet8 (or give a path to a .tflite file)'],
    [['--model', 'lenet', '--metric', 'psnr'], 2, 'sim-dse: unknown significance metric "psnr"; known: contribution, seed, magnitude, obs'],
    [['--model', 'lenet', '--kind', 'threshold', '--levels', '0,0.5,1.5'], 2, 'sim-dse: significance threshold 1.5 of layer 1 is out of range: expected a number from 0 to 1'],
    [['--model', 'lenet', '--threads', '0'], 2, 'sim-dse: --threads: 0 is out of range (1 to 256)'],
    [['--model', 'lenet', '--layers', '2'], 2, 'sim-dse: unknown layer 2 (operator 2 is MAX_POOL_2D, not maskable); lenet has maskable layers 1, 3, 5, 7, 8'],
    [['--model', 'lenet', '--search', 'grid'], 2, 'sim-dse: --search grid: the space has 759375 points, more than --budget 1000; raise --budget or use --search nsga2'],
  ])('%j', (args, code, line) => {
    const r = builtCli('run', ...args, '--out', out);
    expect([r.code, r.stderr, r.stdout]).toEqual([code, `${line}\n`, '']);
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses a run directory made for another model and leaves it as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-run-other-'));
    const made = builtCli('run', ...tiny, '--out', dir, '--id', 'x', '--threads', '1');
    expect(made.code).toBe(0);
    const before = files(join(dir, 'x'));
    const r = builtCli('run', '--model', 'resnet8', '--latency', 'macs', '--out', dir, '--id', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sim-dse: run directory \S+\/x was made for model lenet \(sha256 [0-9a-f]{12}\), not resnet8 \(sha256 [0-9a-f]{12}\); choose another --id or --out\n$/);
    expect(files(join(dir, 'x'))).toEqual(before);
  });
});

describe.skipIf(!have)('sim-dse run, show and report', () => {
  it('gives the same store on 1 and 2 threads, prints a JSON summary, shows points and regenerates the report', () => {
    const [o1, o2] = [mkdtempSync(join(tmpdir(), 'cli-run-1-')), mkdtempSync(join(tmpdir(), 'cli-run-2-'))];
    const r1 = builtCli('run', ...tiny, '--threads', '1', '--out', o1, '--id', 'same', '--json');
    const r2 = builtCli('run', ...tiny, '--threads', '2', '--out', o2, '--id', 'same', '--json');
    expect([r1.code, r2.code]).toEqual([0, 0]);
    const [s1, s2] = [JSON.parse(r1.stdout), JSON.parse(r2.stdout)];
    expect([s1.status, s1.points, s1.strategy, s1.pool, s2.pool]).toEqual(['complete', 9, 'grid', '1 threads', '2 threads']);
    expect(s2.exactTop1Full).toBe(47 / 60);
    expect(s2.reductions.map((r: { maxLoss: number }) => r.maxLoss)).toEqual([0, 1, 2, 5]);
    const dir = join(o2, 'same');
    expect(files(dir)).toEqual(files(join(o1, 'same')));
    expect(r2.stderr).toContain('search [########################] 9/9'); // plain progress lines when stderr is a pipe

    const show = builtCli('show', dir, '--point', '0', '--json');
    const p = JSON.parse(show.stdout);
    expect([p.point.id, p.point.config, p.point.correct, p.point.images, p.full.correct]).toEqual([0, { metric: 'contribution', settings: [] }, 22, 30, 47]);
    expect(builtCli('show', dir, '--point', '8').stdout).toContain('config    op3 fraction 0.4, op5 fraction 0.4\n');
    expect(builtCli('show', dir, '--point', '9').stderr).toBe(`sim-dse: --point 9: ${dir} has 9 points (0 to 8)\n`);

    const before = files(dir);
    for (const f of ['report.md', 'front.csv', 'front.json', 'accuracy-vs-cycles.svg']) rmSync(join(dir, f));
    const rep = builtCli('report', dir);
    expect([rep.code, rep.stdout]).toEqual([0, `${dir}/report.md: 9 points, front of ${JSON.parse(before['front.json']).front.length}\n`]);
    expect(files(dir)).toEqual(before);
    expect(builtCli('report', o1).stderr).toBe(`sim-dse: ${o1} is not a run directory (no config.json)\n`);
  });

  it('Ctrl-C leaves a consistent store (exit 130) and a rerun ends with the store of an uninterrupted run', async () => {
    const whole = mkdtempSync(join(tmpdir(), 'cli-run-whole-'));
    expect(builtCli('run', ...longer, '--threads', '2', '--out', whole).code).toBe(0);
    const out = mkdtempSync(join(tmpdir(), 'cli-run-int-'));
    const points = join(out, 'r', 'points.jsonl');
    const child = spawn(process.execPath, [BUILT_CLI, 'run', ...longer, '--threads', '2', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((done) => {
      const poll = setInterval(() => {
        if (existsSync(points) && readFileSync(points, 'utf8').split('\n').length > 5) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 20);
      child.on('exit', (c) => {
        clearInterval(poll);
        done(c);
      });
    });
    expect(code).toBe(130);
    expect(stderr).toContain('sim-dse: stopping after the current point');
    const text = readFileSync(points, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const rows = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.id)).toEqual(rows.map((_, i) => i));
    expect(rows.length).toBeLessThan(60);
    expect(builtCli('run', ...longer, '--threads', '2', '--out', out).code).toBe(0);
    expect(files(join(out, 'r'))).toEqual(files(join(whole, 'r')));
  });
});
