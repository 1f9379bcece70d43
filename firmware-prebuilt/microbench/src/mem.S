@ Loads and stores. Data lives in SRAM (.data/.bss at 0x20000000, zero wait states on every
@ board); ldr_literal4 alone loads from flash (its literal pool), to exercise the ART D-cache.
@ Every base address is set by MOVW/MOVT followed by one unrelated instruction, so no load
@ depends on the data-processing instruction right before it (that would stall one cycle).
@ Cycles (DDI 0439 tables 3-1 and section 3.3.2, zero wait states, P = 2):
@   ldr_independent8 = PUSH{4} 5 + MOVW/MOVT/MOVS 3 + 7 pipelined 16-bit LDR (1 + 7) 8
@                      + LDR.W r12 at 0x0800001a 2 (a 32-bit instruction at a halfword address
@                      does not pipeline, measured on an STM32F407) + 7 ADD + POP{4} 5 + BX 3 = 33
@   ldr_chase8       = MOVW/MOVT/NOP 3 + 8 dependent LDR x 2 = 16 + BX 3 = 22
@   str_then_ldr     = 3 + STR 1 + LDR after STR (2 + 1) + ADDS 1 + STR 1 + LDR after STR 3
@                      + BX 3 = 15
@   ldm_stm4         = 3 + LDM{4} 5 + 3 + STM{4} 5 + 3 ADD + BX 3 = 22
@   ldm_stm8         = PUSH{4} 5 + 3 + LDM{8} 9 + 3 + STM{8} 9 + 7 ADD + POP{4} 5 + BX 3 = 44
@   push_pop_pc      = PUSH{5} 6 + 5 ALU + POP{5,pc} (1 + 5 + P) 8 = 19
@   ldr_literal4     = 4 pipelined literal LDR (1 + 4) 5 + 3 ADD + BX 3 = 11
	.syntax unified
	.thumb

	.data
	.p2align 2
@ Eight words 1, 2, 4, ... 128: sums to 255.
	.global mb_words
	.type mb_words, %object
mb_words:
	.word 1, 2, 4, 8, 16, 32, 64, 128
	.size mb_words, . - mb_words

@ A chain of eight nodes, laid out backwards: node k is the word at mb_chain + 4 * (7 - k) and
@ holds the address of node k + 1; node 7 (the first word) holds the payload 0x00C0FFEE.
	.global mb_chain
	.type mb_chain, %object
mb_chain:
	.word 0x00C0FFEE
	.word mb_chain + 0
	.word mb_chain + 4
	.word mb_chain + 8
	.word mb_chain + 12
	.word mb_chain + 16
	.word mb_chain + 20
	.word mb_chain + 24
	.size mb_chain, . - mb_chain

	.bss
	.p2align 2
@ 32 bytes the store benchmarks write.
	.global mb_scratch
	.type mb_scratch, %object
mb_scratch:
	.space 32
	.size mb_scratch, . - mb_scratch

	.text
	.global _start
	.thumb_set _start, ldr_independent8

@ uint32_t ldr_independent8(void): sum of mb_words, eight loads that pipeline (255)
	.global ldr_independent8
	.type ldr_independent8, %function
	.p2align 2
ldr_independent8:
	push {r4-r7}
	movw r1, #:lower16:mb_words
	movt r1, #:upper16:mb_words
	movs r0, #0
	ldr r0, [r1, #0]
	ldr r2, [r1, #4]
	ldr r3, [r1, #8]
	ldr r4, [r1, #12]
	ldr r5, [r1, #16]
	ldr r6, [r1, #20]
	ldr r7, [r1, #24]
	ldr r12, [r1, #28]
	adds r0, r0, r2
	adds r0, r0, r3
	adds r0, r0, r4
	adds r0, r0, r5
	adds r0, r0, r6
	adds r0, r0, r7
	add r0, r0, r12
	pop {r4-r7}
	bx lr
	.size ldr_independent8, . - ldr_independent8

@ uint32_t ldr_chase8(void): follows mb_chain, each load's address is the previous load's
@ result (0x00C0FFEE)
	.global ldr_chase8
	.type ldr_chase8, %function
	.p2align 2
ldr_chase8:
	movw r0, #:lower16:mb_chain + 28
	movt r0, #:upper16:mb_chain + 28
	nop
	ldr r0, [r0]
	ldr r0, [r0]
	ldr r0, [r0]
	ldr r0, [r0]
	ldr r0, [r0]
	ldr r0, [r0]
	ldr r0, [r0]
	ldr r0, [r0]
	bx lr
	.size ldr_chase8, . - ldr_chase8

@ uint32_t str_then_ldr(uint32_t x): stores x and x + 1 at mb_scratch[0..1], each read back
@ right after its store; returns x + 1
	.global str_then_ldr
	.type str_then_ldr, %function
	.p2align 2
str_then_ldr:
	movw r1, #:lower16:mb_scratch
	movt r1, #:upper16:mb_scratch
	nop
	str r0, [r1]
	ldr r2, [r1]
	adds r2, r2, #1
	str r2, [r1, #4]
	ldr r0, [r1, #4]
	bx lr
	.size str_then_ldr, . - str_then_ldr

@ uint32_t ldm_stm4(void): copies mb_words[0..3] to mb_scratch with LDM/STM of four
@ registers; returns their sum (15)
	.global ldm_stm4
	.type ldm_stm4, %function
	.p2align 2
ldm_stm4:
	movw r1, #:lower16:mb_words
	movt r1, #:upper16:mb_words
	nop
	ldm r1, {r0, r2, r3, r12}
	movw r1, #:lower16:mb_scratch
	movt r1, #:upper16:mb_scratch
	nop
	stm r1, {r0, r2, r3, r12}
	adds r0, r0, r2
	adds r0, r0, r3
	add r0, r0, r12
	bx lr
	.size ldm_stm4, . - ldm_stm4

@ uint32_t ldm_stm8(void): copies mb_words[0..7] to mb_scratch with LDM/STM of eight
@ registers; returns their sum (255)
	.global ldm_stm8
	.type ldm_stm8, %function
	.p2align 2
ldm_stm8:
	push {r4-r7}
	movw r1, #:lower16:mb_words
	movt r1, #:upper16:mb_words
	nop
	ldm r1, {r0, r2-r7, r12}
	movw r1, #:lower16:mb_scratch
	movt r1, #:upper16:mb_scratch
	nop
	stm r1, {r0, r2-r7, r12}
	adds r0, r0, r2
	adds r0, r0, r3
	adds r0, r0, r4
	adds r0, r0, r5
	adds r0, r0, r6
	adds r0, r0, r7
	add r0, r0, r12
	pop {r4-r7}
	bx lr
	.size ldm_stm8, . - ldm_stm8

@ uint32_t push_pop_pc(uint32_t x): saves r4-r7 and lr, returns by popping into pc;
@ result x + (x + 3) = 2x + 3
	.global push_pop_pc
	.type push_pop_pc, %function
	.p2align 2
push_pop_pc:
	push {r4-r7, lr}
	mov r4, r0
	adds r5, r4, #1
	adds r6, r5, #1
	adds r7, r6, #1
	adds r0, r7, r4
	pop {r4-r7, pc}
	.size push_pop_pc, . - push_pop_pc

@ uint32_t ldr_literal4(void): four PC-relative loads from the literal pool in flash;
@ returns 0x12345678 + 0x9ABCDEF0 + 0x0BADF00D + 0x00C0FFEE = 0xB9602563 (no constant fits a
@ MOV/MVN immediate or MOVW, so the assembler must place all four in the pool)
	.global ldr_literal4
	.type ldr_literal4, %function
	.p2align 2
ldr_literal4:
	ldr r0, =0x12345678
	ldr r1, =0x9ABCDEF0
	ldr r2, =0x0BADF00D
	ldr r3, =0x00C0FFEE
	adds r0, r0, r1
	adds r0, r0, r2
	adds r0, r0, r3
	bx lr
	.p2align 2
	.ltorg
	.size ldr_literal4, . - ldr_literal4
