@ Multiply chains: each instruction depends on the previous result.
@ Cycles (DDI 0439 table 3-1: MUL, MLA, SMLAD are single-cycle; P = 2):
@   mul_chain8   = 8 x MUL   (1) + BX LR (3) = 11
@   mla_chain8   = 8 x MLA   (1) + BX LR (3) = 11
@   smlad_chain8 = 8 x SMLAD (1) + BX LR (3) = 11
	.syntax unified
	.thumb
	.text

	.global _start
	.thumb_set _start, mul_chain8

@ uint32_t mul_chain8(uint32_t a, uint32_t b): a * b^8 (mod 2^32)
	.global mul_chain8
	.type mul_chain8, %function
	.p2align 2
mul_chain8:
	mul r0, r0, r1
	mul r0, r0, r1
	mul r0, r0, r1
	mul r0, r0, r1
	mul r0, r0, r1
	mul r0, r0, r1
	mul r0, r0, r1
	mul r0, r0, r1
	bx lr
	.size mul_chain8, . - mul_chain8

@ uint32_t mla_chain8(uint32_t x, uint32_t b, uint32_t c): x = x * b + c, eight times
	.global mla_chain8
	.type mla_chain8, %function
	.p2align 2
mla_chain8:
	mla r0, r0, r1, r2
	mla r0, r0, r1, r2
	mla r0, r0, r1, r2
	mla r0, r0, r1, r2
	mla r0, r0, r1, r2
	mla r0, r0, r1, r2
	mla r0, r0, r1, r2
	mla r0, r0, r1, r2
	bx lr
	.size mla_chain8, . - mla_chain8

@ int32_t smlad_chain8(int32_t acc, int16x2 x, int16x2 y): acc + 8 * (x.lo*y.lo + x.hi*y.hi)
	.global smlad_chain8
	.type smlad_chain8, %function
	.p2align 2
smlad_chain8:
	smlad r0, r1, r2, r0
	smlad r0, r1, r2, r0
	smlad r0, r1, r2, r0
	smlad r0, r1, r2, r0
	smlad r0, r1, r2, r0
	smlad r0, r1, r2, r0
	smlad r0, r1, r2, r0
	smlad r0, r1, r2, r0
	bx lr
	.size smlad_chain8, . - smlad_chain8
