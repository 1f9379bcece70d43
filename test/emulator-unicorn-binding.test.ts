import { describe, expect, it } from 'vitest';
import { UC_CPU_ARM_CORTEX_M4, UC_PROT_ALL } from '../src/emulator/unicorn/constants.js';
import { Unicorn, UnicornError } from '../src/emulator/unicorn/unicorn.js';

describe('Unicorn binding', () => {
  it('is Debian libunicorn2 2.0.1', () => {
    expect(Unicorn.version()).toBe('2.0.1');
  });

  it('opens a Cortex-M4 (the CPU model reads back as M4, not the M33 that MCLASS mode forces)', () => {
    const uc = new Unicorn();
    try {
      expect(uc.cpuModel()).toBe(UC_CPU_ARM_CORTEX_M4);
      expect(UC_CPU_ARM_CORTEX_M4).toBe(9);
    } finally {
      uc.close();
    }
  });

  it('maps memory, writes and reads bytes and registers, and runs DSP code (SMLAD)', () => {
    const uc = new Unicorn();
    try {
      uc.map(0x08000000, 0x1000, UC_PROT_ALL);
      // movs r0,#5 ; adds r0,#7 ; smlad r0,r1,r2,r0 ; wfi
      const code = Uint8Array.from([0x05, 0x20, 0x07, 0x30, 0x21, 0xfb, 0x02, 0x00, 0x30, 0xbf]);
      uc.write(0x08000000, code);
      expect(Array.from(uc.read(0x08000000, 4))).toEqual([0x05, 0x20, 0x07, 0x30]);
      uc.writeCore(1, 0x00020003);
      uc.writeCore(2, 0x00040005);
      expect(uc.readCore(1)).toBe(0x00020003);
      expect(uc.start(0x08000000, 0x08000100)).toBe(0);
      // 5 + 7 + (3*5 + 2*4) = 35
      expect(uc.readCore(0)).toBe(35);
      expect(uc.readCore(15)).toBe(0x0800000a);
    } finally {
      uc.close();
    }
  });

  it('turns Unicorn errors into typed one-line errors', () => {
    const uc = new Unicorn();
    try {
      expect(() => uc.read(0x30000000, 4)).toThrow(UnicornError);
      expect(() => uc.read(0x30000000, 4)).toThrow('uc_mem_read(0x30000000) failed: Invalid memory read (UC_ERR_READ_UNMAPPED)');
      expect(() => uc.map(0x08000001, 0x1000, UC_PROT_ALL)).toThrow(/uc_mem_map\(0x8000001, 4096\) failed: .*\(UC_ERR_ARG\)/);
    } finally {
      uc.close();
    }
  });
});
