import type { InsnClass } from '../thumb/insn.js';
import { costSequence } from './block-cost.js';

/**
 * An instruction whose cost is only known when it runs, handled by a native
 * per-address execution hook: IT-conditional instructions (Unicorn does not
 * run hooks for condition-failed ones, so the hook adds the executed cost
 * beyond the failed cost of 1) and SDIV/UDIV (operand-dependent).
 */
export type Special =
  | { readonly kind: 'extra'; readonly address: number; readonly extra: number; readonly cls: InsnClass }
  | { readonly kind: 'sdiv' | 'udiv'; readonly address: number; readonly rn: number; readonly rm: number };

/**
 * The specials of a code range and the addresses of every instruction inside an IT block
 * (conditional: a block Unicorn starts inside an IT block, at a page boundary, runs them
 * conditionally although its own decode cannot tell), from the ELF's code sections split by
 * mapping symbols. Conditional instructions whose executed cost is 1 need no hook and are not
 * listed as specials. Pure.
 */
export function scanCode(code: Uint8Array, address: number): { specials: Special[]; conditional: number[] } {
  const out: Special[] = [];
  const conditional: number[] = [];
  for (const c of costSequence(code, address)) {
    if (c.conditional) conditional.push(c.address);
    if (c.insn.cls === 'div') {
      const off = c.address - address;
      const hw1 = code[off] | (code[off + 1] << 8);
      const hw2 = code[off + 2] | (code[off + 3] << 8);
      out.push({ kind: c.insn.mnemonic === 'udiv' ? 'udiv' : 'sdiv', address: c.address, rn: hw1 & 0xf, rm: hw2 & 0xf });
    } else if (c.conditional && c.cycles > 1) {
      out.push({ kind: 'extra', address: c.address, extra: c.cycles - 1, cls: c.insn.cls });
    }
  }
  return { specials: out, conditional };
}
