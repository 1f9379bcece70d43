@ IT blocks whose condition fails for some instructions. A failed instruction still takes its
@ issue slot (1 cycle each is the usual assumption; a failed load is not performed).
@ Cycles (zero wait states, P = 2, IT folded into the 16-bit instruction before it = 0 cycles;
@ count 1 per IT if it is not folded):
@   it_alu_fail  = CMP 1 + 2 x (IT 0 + 4 conditional ALU) 8 + BX 3 = 12
@   it_load_fail = ADR 1 + CMP 1 + IT 0 + 2 failed LDR x 1 + 2 ADD + BX 3 = 9
	.syntax unified
	.thumb
	.text

	.global _start
	.thumb_set _start, it_alu_fail

@ uint32_t it_alu_fail(uint32_t a): for a != 0 the EQ instructions fail and the NE ones add
@ 2 and 4, twice: a + 12; for a == 0 the NE ones fail and the last MOVEQ leaves 3
	.global it_alu_fail
	.type it_alu_fail, %function
	.p2align 2
it_alu_fail:
	cmp r0, #0
	itete eq
	moveq r0, #1
	addne r0, r0, #2
	moveq r0, #3
	addne r0, r0, #4
	itete eq
	moveq r0, #1
	addne r0, r0, #2
	moveq r0, #3
	addne r0, r0, #4
	bx lr
	.size it_alu_fail, . - it_alu_fail

@ uint32_t it_load_fail(uint32_t a): for a == 0, both NE loads fail and the EQ adds give
@ 7 + 9 = 16; for a != 0 the loads run (into r2, r3) and a comes back unchanged
	.global it_load_fail
	.type it_load_fail, %function
	.p2align 2
it_load_fail:
	adr r1, 3f
	cmp r0, #0
	itete ne
	ldrne r2, [r1]
	addeq r0, r0, #7
	ldrne r3, [r1, #4]
	addeq r0, r0, #9
	bx lr
	.p2align 2
3:
	.word 0x55555555, 0x66666666
	.size it_load_fail, . - it_load_fail
