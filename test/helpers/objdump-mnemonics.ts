/**
 * GNU objdump's ARMv7E-M + FPv4-SP mnemonics as the Thumb decoder's classes,
 * for the decoder tests that compare with objdump (corpus and encoding sweep).
 */
import type { InsnClass } from '../../src/emulator/thumb/insn.js';

/** Condition suffixes objdump appends to a mnemonic. */
export const CONDS: ReadonlySet<string> = new Set(['eq', 'ne', 'cs', 'cc', 'hs', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al']);

/** Class of each base mnemonic as objdump spells it (B is `branch` here: callers resolve B<cond>). */
export const CLASS_OF: Readonly<Record<string, InsnClass>> = (() => {
  const table: Record<string, InsnClass> = {};
  const put = (cls: InsnClass, names: string): void => {
    for (const n of names.trim().split(/\s+/)) table[n] = cls;
  };
  put(
    'alu',
    `adc add addw adr and asr bfc bfi bic clz cmn cmp eor lsl lsr mov movt movw mvn neg nop orn orr pkhbt pkhtb
     rbit rev rev16 revsh ror rrx rsb sbc sbfx sel ssat ssat16 sub subw sxtab sxtab16 sxtah sxtb sxtb16 sxth
     teq tst ubfx usad8 usada8 usat usat16 uxtab uxtab16 uxtah uxtb uxtb16 uxth yield pld pli
     qadd qdadd qsub qdsub`,
  );
  for (const p of ['s', 'q', 'sh', 'u', 'uq', 'uh']) put('alu', ['add8', 'add16', 'asx', 'sub8', 'sub16', 'sax'].map((o) => p + o).join(' '));
  put('mul', 'mul mla mls smull umull smlal umlal umaal');
  put(
    'dsp-mul',
    `smlad smladx smlsd smlsdx smlald smlaldx smlsld smlsldx smuad smuadx smusd smusdx smmul smmulr smmla smmlar
     smmls smmlsr smlabb smlabt smlatb smlatt smulbb smulbt smultb smultt smlawb smlawt smulwb smulwt
     smlalbb smlalbt smlaltb smlaltt`,
  );
  put('div', 'sdiv udiv');
  put('load', 'ldr ldrb ldrh ldrsb ldrsh ldrt ldrbt ldrht ldrsbt ldrsht');
  put('store', 'str strb strh strt strbt strht');
  put('load-dual', 'ldrd');
  put('store-dual', 'strd');
  put('load-multiple', 'ldm ldmdb pop');
  put('store-multiple', 'stm stmdb push');
  put('branch', 'b');
  put('branch-link', 'bl');
  put('branch-reg', 'bx blx');
  put('compare-branch', 'cbz cbnz');
  put('table-branch', 'tbb tbh');
  put('it', 'it itt ite ittt itte itet itee itttt ittte ittet ittee itett itete iteet iteee');
  put('fpu', 'vadd vsub vmul vnmul vcmp vcmpe vcvt vcvtr vcvtb vcvtt vabs vneg vmov vmrs vmsr');
  put('fpu-mac', 'vmla vmls vnmla vnmls vfma vfms vfnma vfnms');
  put('fpu-div', 'vdiv vsqrt');
  put('fpu-load', 'vldr');
  put('fpu-store', 'vstr');
  put('fpu-load-multiple', 'vldm vldmdb vpop');
  put('fpu-store-multiple', 'vstm vstmdb vpush');
  put('system', 'msr mrs cpsie cpsid dmb dsb isb svc bkpt wfi wfe sev clrex ldrex ldrexb ldrexh strex strexb strexh dbg');
  put('undefined', 'udf');
  return table;
})();

/** objdump spellings that name the same instruction as the decoder's base mnemonic. */
const ALIASES: Readonly<Record<string, string>> = { ldmia: 'ldm', stmia: 'stm', vldmia: 'vldm', vstmia: 'vstm' };

function canonical(name: string): string | null {
  const aliased = ALIASES[name] ?? name;
  return aliased in CLASS_OF ? aliased : null;
}

/**
 * Splits objdump's mnemonic (without its `.w`/`.n`/data-type suffixes) into
 * the decoder's base mnemonic and whether a condition suffix was present:
 * drops the condition and the flag-setting `s`, and maps the aliases above;
 * null when it is not an ARMv7E-M + FPv4-SP mnemonic.
 */
export function baseMnemonic(name: string): { base: string; conditional: boolean } | null {
  const direct = canonical(name);
  if (direct !== null) return { base: direct, conditional: false };
  if (CONDS.has(name.slice(-2))) {
    const stem = name.slice(0, -2);
    const c = canonical(stem) ?? (stem.endsWith('s') ? canonical(stem.slice(0, -1)) : null);
    if (c !== null) return { base: c, conditional: true };
  }
  const flag = name.endsWith('s') ? canonical(name.slice(0, -1)) : null;
  return flag === null ? null : { base: flag, conditional: false };
}
