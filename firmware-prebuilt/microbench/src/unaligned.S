@ Unaligned loads and stores, with an aligned peer: the same loop, the same encodings (every access
@ a 32-bit LDR.W/LDRH.W/STR.W), only the offsets differ. Data in SRAM (.data at 0x20000000,
@ ua_bytes word-aligned). Core timing as everywhere (DDI 0439 table 3-1 and 3.3.2, zero wait
@ states, P = 2); no load follows a load (no load-pipelining), STR.W [r3, #imm] followed by SUBS
@ costs 1 (store-buffer), r3 is set once before the loop (no address dependency).
@ Unaligned penalty (src/emulator/timing/memory-rules.ts, TRM r0p1 3.3.2): a byte-aligned word
@ +2 (byte, halfword, byte), a halfword-aligned word +1 (two halfwords), a byte-aligned
@ halfword +1 (two bytes).
@   loop body: LDR.W 2 + ADD.W 1 + LDRH.W 2 + ADD.W 1 + LDR.W 2 + ADD.W 1 + STR.W 1 + SUBS 1
@              + BNE 1 = 12 core cycles
@   aligned_loop100   = MOVW/MOVT/MOVS/MOVS 4 + 100 x 12 + 99 taken BNE x P 2 + BX 3
@                     = 4 + 1200 + 198 + 3 = 1405
@   unaligned_loop100 = the same + 100 x (LDR [r3,#1] byte-aligned 2 + LDRH [r3,#5] byte-aligned 1
@                       + LDR [r3,#10] halfword-aligned 1 + STR [r3,#18] halfword-aligned 1 = 5)
@                     = 1405 + 500 = 1905
@ Results: unaligned_loop100 r0 = 100 x (word at 1 + halfword at 5 + word at 10) mod 2^32, the
@ last sum stored at ua_bytes + 18; aligned_loop100 likewise with the words at 0 and 8, the
@ halfword at 4, the store at 16 (the stores never overlap the loaded bytes).
	.syntax unified
	.thumb

	.data
	.p2align 2
@ 24 bytes 0x01..0x18 (byte k holds k + 1).
	.global ua_bytes
	.type ua_bytes, %object
ua_bytes:
	.byte 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24
	.size ua_bytes, . - ua_bytes

	.text
	.global _start
	.thumb_set _start, unaligned_loop100

@ uint32_t unaligned_loop100(void): 100 passes of three unaligned loads and one unaligned store
	.global unaligned_loop100
	.type unaligned_loop100, %function
	.p2align 2
unaligned_loop100:
	movw r3, #:lower16:ua_bytes
	movt r3, #:upper16:ua_bytes
	movs r0, #0
	movs r1, #100
1:
	ldr.w r2, [r3, #1]
	add.w r0, r0, r2
	ldrh.w r2, [r3, #5]
	add.w r0, r0, r2
	ldr.w r2, [r3, #10]
	add.w r0, r0, r2
	str.w r0, [r3, #18]
	subs r1, r1, #1
	bne 1b
	bx lr
	.size unaligned_loop100, . - unaligned_loop100

@ uint32_t aligned_loop100(void): the same loop with every access aligned
	.global aligned_loop100
	.type aligned_loop100, %function
	.p2align 2
aligned_loop100:
	movw r3, #:lower16:ua_bytes
	movt r3, #:upper16:ua_bytes
	movs r0, #0
	movs r1, #100
1:
	ldr.w r2, [r3, #0]
	add.w r0, r0, r2
	ldrh.w r2, [r3, #4]
	add.w r0, r0, r2
	ldr.w r2, [r3, #8]
	add.w r0, r0, r2
	str.w r0, [r3, #16]
	subs r1, r1, #1
	bne 1b
	bx lr
	.size aligned_loop100, . - aligned_loop100
