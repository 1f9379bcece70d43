@ ALU chain: 16 dependent register adds.
@ Cycles (Cortex-M4 TRM DDI 0439 table 3-1, zero wait states, P = 2):
@   16 x ADDS (1) + BX LR (1 + P) = 16 + 3 = 19.
	.syntax unified
	.thumb
	.text

	.global _start
	.thumb_set _start, alu_chain16

@ uint32_t alu_chain16(uint32_t a, uint32_t b): a + 16 * b
	.global alu_chain16
	.type alu_chain16, %function
	.p2align 2
alu_chain16:
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	adds r0, r0, r1
	bx lr
	.size alu_chain16, . - alu_chain16
