@ Code fetched from SRAM over the System bus (S-bus). The functions live in .sram_code (in .data, SRAM at
@ 0x20000000, loaded directly there: no startup copy in these images). Rules
@ (src/emulator/timing/memory-rules.ts, Cortex-M4 TRM 2.3.1): a block fetched over the S-bus
@ takes max(base, 2 x W + 1 + D) cycles, W = 32-bit words its bytes span (one registered fetch
@ per word, 2 cycles each, never back to back), + 1 the registered first fetch's latency,
@ D = data words its loads/stores moved over the S-bus (data wins arbitration). Core timing as
@ everywhere (DDI 0439 table 3-1, P = 2 after a taken branch). The blocks are Unicorn's: entry
@ to the first branch, the loop body from its label, the return.
@   sbus_alu_loop100   entry 0x00..0x18 (24 B, W 6, base 2 MOVS + 4 ALU.W + SUBS + BNE = 8) 13
@                      + 99 loop blocks 0x04..0x18 (20 B, W 5, base 6) x 11 + 99 taken BNE x P 2
@                      + BX 0x18 (W 1, base 1) 3 + P 2 = 13 + 1089 + 198 + 5 = 1305
@                      (the same code in flash on `ideal`: 8 + 99 x 6 + 198 + 3 = 803)
@   sbus_load_loop100  entry 0x00..0x1c (28 B, W 7, base MOVW/MOVT/MOVS/MOVS 4 + 8 = 12, D 2:
@                      2 x 7 + 1 + 2) 17
@                      + 99 loop blocks 0x0c..0x1c (16 B, W 4, base LDR 2 + ADD.W 1 + LDR 2 (after
@                      an ALU: no pipelining) + ADD.W 1 + SUBS 1 + BNE 1 = 8, D 2: 2 x 4 + 1 + 2) x 11
@                      + 198 + BX 5 = 17 + 1089 + 198 + 5 = 1309
@   sbus_dcode_loop100 the same loop reading two words of flash (D-Code, no S-bus contention):
@                      entry max(12, 15) 15 + 99 x max(8, 9) 9 + 198 + 5 = 1109
	.syntax unified
	.thumb

	.section .rodata.sb_flash_words, "a"
	.p2align 2
@ Two constants in flash: the D-Code variant reads them.
	.global sb_flash_words
	.type sb_flash_words, %object
sb_flash_words:
	.word 5, 6
	.size sb_flash_words, . - sb_flash_words

	.section .sram_code, "awx"
	.p2align 2

@ uint32_t sbus_alu_loop100(void): 100 passes of four 32-bit ALU instructions
	.global sbus_alu_loop100
	.type sbus_alu_loop100, %function
	.thumb_func
sbus_alu_loop100:
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
	.size sbus_alu_loop100, . - sbus_alu_loop100

	.p2align 2
@ uint32_t sbus_load_loop100(void): 100 passes loading two SRAM words (3 + 4) and adding them: 700
	.global sbus_load_loop100
	.type sbus_load_loop100, %function
	.thumb_func
sbus_load_loop100:
	movw r3, #:lower16:sb_words
	movt r3, #:upper16:sb_words
	movs r0, #0
	movs r1, #100
1:
	ldr r2, [r3]
	add.w r0, r0, r2
	ldr r2, [r3, #4]
	add.w r0, r0, r2
	subs r1, r1, #1
	bne 1b
	bx lr
	.size sbus_load_loop100, . - sbus_load_loop100

	.p2align 2
@ uint32_t sbus_dcode_loop100(void): the same loop reading two flash words (5 + 6): 1100
	.global sbus_dcode_loop100
	.type sbus_dcode_loop100, %function
	.thumb_func
sbus_dcode_loop100:
	movw r3, #:lower16:sb_flash_words
	movt r3, #:upper16:sb_flash_words
	movs r0, #0
	movs r1, #100
1:
	ldr r2, [r3]
	add.w r0, r0, r2
	ldr r2, [r3, #4]
	add.w r0, r0, r2
	subs r1, r1, #1
	bne 1b
	bx lr
	.size sbus_dcode_loop100, . - sbus_dcode_loop100

	.data
	.p2align 2
@ Two words in SRAM: the S-bus load loop reads them.
	.global sb_words
	.type sb_words, %object
sb_words:
	.word 3, 4
	.size sb_words, . - sb_words

	.text
	.global _start
	.thumb_set _start, sbus_alu_loop100
