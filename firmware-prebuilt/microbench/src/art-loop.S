@ A loop small enough to stay in the ART instruction cache: 1,000 passes of a 6-instruction,
@ 12-byte body. Once warm it runs at zero wait states on every board.
@ Cycles (zero wait states, P = 2) = MOVS/MOVS/MOVW 3 + 1000 x 5 ALU + 999 taken BNE x 3
@   + 1 not-taken BNE + BX 3 = 8004
	.syntax unified
	.thumb
	.text

	.global _start
	.thumb_set _start, art_loop1000

@ uint32_t art_loop1000(void): for i = 1000 down to 1: r0 += i; r2 ^= r0; r0 += r2 >> 2
	.global art_loop1000
	.type art_loop1000, %function
	.p2align 2
art_loop1000:
	movs r0, #0
	movs r2, #0
	movw r1, #1000
1:
	adds r0, r0, r1
	eors r2, r2, r0
	lsrs r3, r2, #2
	adds r0, r0, r3
	subs r1, r1, #1
	bne 1b
	bx lr
	.size art_loop1000, . - art_loop1000
