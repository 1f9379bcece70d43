@ Conditional branches.
@ Cycles (DDI 0439 table 3-1, zero wait states, P = 2; B<cond> is 1 not taken, 1 + P taken):
@   loop_countdown100 = MOVS/MOVS 2 + 100 x (ADDS + SUBS) 200 + 99 taken BNE x 3
@                       + 1 not-taken BNE + BX 3 = 503
@   bcc_not_taken8    = CMP 1 + 8 not-taken BNE + MOVS 1 + BX 3 = 13
	.syntax unified
	.thumb
	.text

	.global _start
	.thumb_set _start, loop_countdown100

@ uint32_t loop_countdown100(void): counts 100 down to 0 adding 2 per pass (200);
@ the loop branch is taken 99 times and falls through once
	.global loop_countdown100
	.type loop_countdown100, %function
	.p2align 2
loop_countdown100:
	movs r0, #0
	movs r1, #100
1:
	adds r0, r0, #2
	subs r1, r1, #1
	bne 1b
	bx lr
	.size loop_countdown100, . - loop_countdown100

@ uint32_t bcc_not_taken8(uint32_t x): eight conditional branches that are never taken; 1
	.global bcc_not_taken8
	.type bcc_not_taken8, %function
	.p2align 2
bcc_not_taken8:
	cmp r0, r0
	bne 2f
	bne 2f
	bne 2f
	bne 2f
	bne 2f
	bne 2f
	bne 2f
	bne 2f
	movs r0, #1
	bx lr
2:
	movs r0, #0
	bx lr
	.size bcc_not_taken8, . - bcc_not_taken8
