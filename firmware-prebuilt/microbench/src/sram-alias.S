@ Code in the STM32L4R5 SRAM2 window at 0x10000000 (section .code_sram): fetched over I-Code,
@ data over D-Code, zero wait states (RM0432 2.2.1; rule code-bus-sram in
@ src/emulator/timing/memory-rules.ts): the core timing alone, as from flash on `ideal`.
@ Runs only on boards with that window (nucleo-l4r5zi).
@   alias_alu_loop100 = entry (2 MOVS + 4 ALU.W + SUBS + BNE) 8 + 99 x 6 + 99 taken BNE x P 2
@                       + BX 1 + P 2 = 8 + 594 + 198 + 3 = 803 (sbus_alu_loop100 from SRAM: 1305)
	.syntax unified
	.thumb

	.section .code_sram, "awx"
	.p2align 2

@ uint32_t alias_alu_loop100(void): sbus_alu_loop100's code in the SRAM2 window
	.global alias_alu_loop100
	.type alias_alu_loop100, %function
	.thumb_func
alias_alu_loop100:
	movs r0, #0
	movs r1, #100
1:
	add.w r0, r0, r1
	add.w r0, r0, #1
	eor.w r2, r0, r1
	add.w r0, r0, r2
	subs r1, r1, #1
	bne 1b
	bx lr
	.size alias_alu_loop100, . - alias_alu_loop100

	.text
	.global _start
	.thumb_set _start, alias_alu_loop100
