/**
 * `sim-dse profile`'s text table: a cycles/MAC column per (kernels, board),
 * '-' for layers without multiply-accumulates, and the summary rows (MACs,
 * inference cycles/MAC, the highest layer's cycles/MAC).
 */
import { describe, expect, test } from 'vitest';
import { formatProfiles } from '../src/cli/commands/profile.js';
import type { NetworkProfile } from '../src/kernels/profile.js';

const profile: NetworkProfile = {
  model: 'toy',
  style: 'baseline',
  board: 'nucleo-f446re',
  clockHz: 180e6,
  cycles: 3000,
  instructions: 2000,
  ms: (3000 / 180e6) * 1000,
  layers: [
    { opIndex: 0, name: 'conv_2d#0', style: 'baseline', cycles: 2000, macs: 800, cyclesPerMac: 2.5, homes: { code: 'sram', data: 'flash' } },
    { opIndex: 1, name: 'add#1', style: 'baseline', cycles: 990, macs: 0, cyclesPerMac: null, homes: { code: 'flash', data: 'flash' } },
  ],
  placement: '0:sram/flash',
  libraryCode: 'flash',
  layerSum: 2990,
  macs: 800,
  cyclesPerMac: 3.75,
  maxLayerCyclesPerMac: 2.5,
  sizes: { flash: 2048, ram: 1024 } as NetworkProfile['sizes'],
  fits: true,
  fitReason: null,
  matchesEngine: true,
};

describe('profile table', () => {
  const lines = formatProfiles([profile]).split('\n');
  const row = (first: string): string[] => lines.find((l) => l.startsWith(first))!.trim().split(/\s+/);

  test('a cycles/MAC column next to the cycles, "-" for a layer without MACs', () => {
    expect(lines[1].trim().split(/\s+/)).toEqual(['layer', 'baseline@nucleo-f446re', 'cycles/MAC']);
    expect(row('conv_2d#0')).toEqual(['conv_2d#0', '2000', 's/f', '2.50']);
    expect(row('add#1')).toEqual(['add#1', '990', '-']);
  });

  test('summary: inference cycles/MAC, MACs and the highest layer', () => {
    expect(row('inference')).toEqual(['inference', '3000', '3.75']);
    expect(row('  MACs')).toEqual(['MACs', '800']);
    expect(row('  max layer')).toEqual(['max', 'layer', '2.50']);
  });
});
