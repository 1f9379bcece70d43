/**
 * Unicorn 2.0.1 constants used by sim-dse (values from Debian's
 * /usr/include/unicorn/{unicorn,arm}.h, checked by test/emulator-unicorn-binding.test.ts).
 */

/** uc_arch. */
export const UC_ARCH_ARM = 1;
/** uc_mode: Thumb (including Thumb-2). UC_MODE_MCLASS is not used: in 2.0.1 it forces a Cortex-M33. */
export const UC_MODE_THUMB = 1 << 4;

/** uc_cpu_arm. */
export const UC_CPU_ARM_CORTEX_M4 = 9;

/** uc_prot. */
export const UC_PROT_READ = 1;
export const UC_PROT_WRITE = 2;
export const UC_PROT_EXEC = 4;
export const UC_PROT_ALL = 7;

/** uc_hook_type. */
export const UC_HOOK_INTR = 1 << 0;
export const UC_HOOK_CODE = 1 << 2;
export const UC_HOOK_BLOCK = 1 << 3;
export const UC_HOOK_MEM_READ = 1 << 10;
export const UC_HOOK_MEM_WRITE = 1 << 11;
/** READ|WRITE|FETCH unmapped. */
export const UC_HOOK_MEM_UNMAPPED = 112;
/** Unmapped and protection faults. */
export const UC_HOOK_MEM_INVALID = 1008;

/** uc_ctl codes: UC_CTL(type, nr, rw) = type | nr << 26 | rw << 30. */
const ctl = (type: number, nr: number, rw: number): number => (type | (nr << 26) | (rw << 30)) >>> 0;
const UC_CTL_CPU_MODEL = 7;
const UC_CTL_TB_REMOVE_CACHE = 9;
const UC_CTL_TB_FLUSH = 10;
export const UC_CTL_WRITE_CPU_MODEL = ctl(UC_CTL_CPU_MODEL, 1, 1);
export const UC_CTL_READ_CPU_MODEL = ctl(UC_CTL_CPU_MODEL, 1, 2);
export const UC_CTL_WRITE_TB_REMOVE_CACHE = ctl(UC_CTL_TB_REMOVE_CACHE, 2, 1);
export const UC_CTL_WRITE_TB_FLUSH = ctl(UC_CTL_TB_FLUSH, 0, 1);

/** uc_arm_reg ids. */
export const ARM_REG = {
  R0: 66,
  SP: 12,
  LR: 10,
  PC: 11,
  XPSR: 120,
  CPSR: 3,
  FPSCR: 6,
  S0: 79,
} as const;

/** Unicorn id of core register Rn (0..15). */
export function coreRegId(n: number): number {
  if (n < 13) return ARM_REG.R0 + n;
  if (n === 13) return ARM_REG.SP;
  if (n === 14) return ARM_REG.LR;
  return ARM_REG.PC;
}

/** uc_err names by number, for error messages. */
export const UC_ERR_NAMES = [
  'UC_ERR_OK', 'UC_ERR_NOMEM', 'UC_ERR_ARCH', 'UC_ERR_HANDLE', 'UC_ERR_MODE', 'UC_ERR_VERSION',
  'UC_ERR_READ_UNMAPPED', 'UC_ERR_WRITE_UNMAPPED', 'UC_ERR_FETCH_UNMAPPED', 'UC_ERR_HOOK',
  'UC_ERR_INSN_INVALID', 'UC_ERR_MAP', 'UC_ERR_WRITE_PROT', 'UC_ERR_READ_PROT', 'UC_ERR_FETCH_PROT',
  'UC_ERR_ARG', 'UC_ERR_READ_UNALIGNED', 'UC_ERR_WRITE_UNALIGNED', 'UC_ERR_FETCH_UNALIGNED',
  'UC_ERR_HOOK_EXIST', 'UC_ERR_RESOURCE', 'UC_ERR_EXCEPTION',
] as const;

/** uc_err values the harness distinguishes. */
export const UC_ERR = {
  OK: 0,
  READ_UNMAPPED: 6,
  WRITE_UNMAPPED: 7,
  FETCH_UNMAPPED: 8,
  INSN_INVALID: 10,
  WRITE_PROT: 12,
  READ_PROT: 13,
  FETCH_PROT: 14,
  EXCEPTION: 21,
} as const;
