@ Hardware divide with small and large operands. DDI 0439 table 3-1: SDIV/UDIV take 2 to 12
@ cycles, terminating early depending on the operands; 7 / 3 is the fast end, 0x7FFFFFFF / 3
@ and 0xFFFFFFFF / 3 the slow end. Cycles = 2 setup + DIV (2..12) + BX 3.
	.syntax unified
	.thumb
	.text

	.global _start
	.thumb_set _start, sdiv_7_3

@ int32_t sdiv_7_3(void): 7 / 3 = 2
	.global sdiv_7_3
	.type sdiv_7_3, %function
	.p2align 2
sdiv_7_3:
	movs r0, #7
	movs r1, #3
	sdiv r0, r0, r1
	bx lr
	.size sdiv_7_3, . - sdiv_7_3

@ int32_t sdiv_large(void): 0x7FFFFFFF / 3 = 0x2AAAAAAA
	.global sdiv_large
	.type sdiv_large, %function
	.p2align 2
sdiv_large:
	mvn r0, #0x80000000
	movs r1, #3
	sdiv r0, r0, r1
	bx lr
	.size sdiv_large, . - sdiv_large

@ int32_t sdiv_neg(void): -7 / 3 = -2 (rounds toward zero)
	.global sdiv_neg
	.type sdiv_neg, %function
	.p2align 2
sdiv_neg:
	mvn r0, #6
	movs r1, #3
	sdiv r0, r0, r1
	bx lr
	.size sdiv_neg, . - sdiv_neg

@ uint32_t udiv_large(void): 0xFFFFFFFF / 3 = 0x55555555
	.global udiv_large
	.type udiv_large, %function
	.p2align 2
udiv_large:
	mvn r0, #0
	movs r1, #3
	udiv r0, r0, r1
	bx lr
	.size udiv_large, . - udiv_large
