/**
 * Significance on the real ResNet-8 (SAME padding, stride 2, 1x1 shortcuts,
 * int8 input): every maskable layer covered, values in [0, 1], every channel
 * summing to 1, and the key stable across computations.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { calibrationInputs, computeSignificance } from '../src/explore/significance/index.js';
import { loadModel, SHARED } from './helpers/engine-fixtures.js';
import { channelSums } from './helpers/significance.js';

const graph = loadModel('resnet8');
const inputs = calibrationInputs(graph, { kind: 'int8', offset: -128 }, 2, join(SHARED, 'datasets', 'cifar10'));


describe('ResNet-8 significance', () => {
  test.each(['contribution', 'seed', 'magnitude'] as const)('%s: ten layers, values in [0, 1], channels sum to 1', (metric) => {
    const s = computeSignificance(graph, metric, inputs);
    expect(s.layers.map((l) => `${l.opIndex}:${l.kind}:${l.channels}x${l.reduction}/${l.inputChannels}`)).toEqual([
      '0:conv:16x27/3', '1:conv:16x144/16', '2:conv:16x144/16', '4:conv:32x144/16', '5:conv:32x288/32',
      '6:conv:32x16/16', '8:conv:64x288/32', '9:conv:64x576/64', '10:conv:64x32/32', '14:fc:10x64/64',
    ]);
    const { outOfRange, worst } = channelSums(s);
    expect(outOfRange).toBe(0);
    expect(worst).toBeLessThan(1e-5);
    expect(computeSignificance(graph, metric, inputs).key).toBe(s.key);
  });
});
