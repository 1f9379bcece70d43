/*
 * sim-dse native cycle model: the state shared by cycles.c (block charging,
 * flash/ART model, the call fast path) and peripherals.c (memory-mapped
 * peripheral registers, DWT CYCCNT, UART capture).
 */
#ifndef SIM_DSE_SIM_H
#define SIM_DSE_SIM_H

#include <stdint.h>
#include <unicorn/unicorn.h>

#define END_NONE 0u        /* block falls through (page boundary, size limit) */
#define END_CONDITIONAL 1u /* ends in a branch that may or may not be taken */
#define END_ALWAYS 2u      /* ends in an unconditional branch / PC write */

#define SPECIAL_EXTRA 1u   /* add a fixed number of cycles when executed (IT-conditional) */
#define SPECIAL_SDIV 2u    /* operand-dependent divide, signed */
#define SPECIAL_UDIV 3u    /* operand-dependent divide, unsigned */

#define PERIPH_REGISTER 0u  /* read: (written | read_or) & ~read_andnot, with an optional bit copy */
#define PERIPH_UART_DATA 1u /* as a register; a write appends its low byte to the UART output */
#define PERIPH_CYCCNT 2u    /* DWT CYCCNT: the cycle model's count at the reading instruction */

#define MAX_CLASSES 32u     /* instruction classes of the breakdown (TS InsnClass order) */
#define MAX_MMIO 4u
#define N_COUNTERS 17u

typedef struct {
  uint32_t addr, size;
  uint32_t base;           /* zero-wait-state cycles, branch not taken */
  uint32_t instructions;
  uint32_t taken_penalty;  /* pipeline refill when the ending branch is taken */
  uint32_t end_kind;
  uint32_t fallthrough;
  uint32_t line_first;     /* index into line_pool */
  uint32_t nlines;         /* flash lines spanned (0 when not in flash) */
  uint32_t first_line;     /* absolute flash line number of the first line */
  uint32_t base_in_lines;  /* sum of line_cycles (the cycles of the instructions in flash lines) */
  uint32_t stream_stall;   /* prefetch stalls of lines 2.. when none of them is cached */
  uint64_t cached_epoch;   /* I-cache epoch at which all its lines were last found cached (0: never) */
  uint32_t class_first;    /* index into class_pool (triples: class, cycles, count) */
  uint32_t nclasses;
  uint32_t insn_first;     /* index into insn_pool (pairs: offset, cycles); set when traced */
  uint32_t ninsns;
  uint32_t traced;         /* per-instruction PC trace installed: exact CYCCNT reads */
  uint32_t reads_cyccnt;   /* read CYCCNT while untraced (queued for tracing) */
  uint32_t sbus_fetch;     /* fetched over the System bus: cycles its fetch stream takes (0: not) */
  uint32_t sbus_data;      /* data words its instructions transfer (S-bus contention unless over D-Code) */
  uint32_t overlay;        /* in the overlay range: the overlay loaded when it was defined (its load end); else 0 */
  uint32_t replay_first;   /* index into replay_pool */
  uint32_t replay_n;       /* accesses replayed at entry; 0: its accesses go through mem_hook */
  uint32_t replay_regs;    /* core registers the replay reads at entry (bit n = Rn) */
  uint32_t replay_active;  /* replayed in this run (translated for the fast path before it); else on mem_hook */
  uint32_t replay_asked;   /* its program was asked for (replay_cb): asked once per block */
  uint64_t exec_count;
  uint64_t taken_count;
} Block;

typedef struct {
  uint32_t addr;
  uint32_t kind;
  uint32_t extra;          /* SPECIAL_EXTRA: cycles to add */
  uint32_t rn, rm;         /* divide operand register ids (unicorn numbering) */
  uint32_t cls;            /* instruction class (breakdown) */
  uint64_t count;          /* times executed */
  uint64_t cycles;         /* extra cycles charged */
} Special;

typedef struct {
  uint32_t nlines;         /* total lines; 0 = no cache */
  uint32_t sets;           /* a power of two */
  uint32_t ways;
  uint32_t *tags;          /* sets*ways line numbers, 0xffffffff = invalid */
  uint8_t *next_victim;    /* per set: round-robin replacement pointer */
  uint64_t epoch;          /* counts changes of the contents (insertions, clears): equal epochs, same lines */
  uint32_t flash_lines;    /* lines of flash: only these are cached */
} Cache;

typedef struct {
  uint32_t addr;           /* word address */
  uint32_t kind;           /* PERIPH_* */
  uint32_t reset, value;   /* value: last written (reset value at the start of a run) */
  uint32_t read_or, read_andnot;
  uint32_t copy_from, copy_to, copy_mask; /* read bits [copy_to..] = written bits [copy_from..] */
} PeriphReg;

struct SimState;

typedef struct {
  struct SimState *s;
  uint32_t base, size;
} MmioRegion;

typedef struct {
  uint32_t addr, len;
  uint8_t *bytes;
} RamSegment;

#define MAX_HOST_MAPS 8u

#define REPLAY_EVERY 2u    /* sim_set_replay mode: every block with a program, from its first run */
#define PAGE_READ 1u       /* page_perm bits */
#define PAGE_WRITE 2u
#define REPLAY_READ 1u     /* ReplayOp.flags: a load */
#define REPLAY_KEEP 2u     /* keep the value read in slot */
#define REPLAY_SIGNED 4u   /* the kept value is sign-extended */
#define REPLAY_ALIGNED 8u  /* a word of LDRD/STRD/LDM/STM/PUSH/POP: faults unless word-aligned */

/* One data access of a block's replay program, decoded once from the TypeScript encoding. */
typedef struct {
  uint8_t base, index, shift, size; /* base and index: register 0..15, 16 = 0, value slot 17..30; index 31 = none */
  uint8_t flags, slot, pad[2];
  int32_t offset, index_delta;
} ReplayOp;

typedef struct {
  uint32_t base, size;     /* guest range */
  uint8_t *bytes;          /* host memory behind it (uc_mem_map_ptr) */
} HostMap;

typedef void (*miss_cb_t)(uint32_t addr, uint32_t size);
typedef void (*replay_cb_t)(uint32_t id); /* asks for block id's replay program (sim_set_block_replay) */

typedef struct SimState {
  /* parameters */
  uint32_t flash_base, flash_size, line_bytes, wait_states, prefetch;
  uint32_t line_shift;     /* log2(line_bytes) when a power of two (every board), else 32: divide */
  uint64_t max_instructions;
  uint32_t reference_fetch; /* always use the reference fetch walk (tests) */
  miss_cb_t miss_cb;
  replay_cb_t replay_cb;
  /* block table: open addressing over (addr,size) -> index+1 */
  Block *blocks;
  uint32_t nblocks, cap_blocks;
  uint32_t *index;
  uint32_t index_mask;
  uint32_t *touched;       /* blocks executed in this run (exec_count went 0 -> 1) */
  uint32_t ntouched;
  uint16_t *line_pool;
  uint32_t nline_pool, cap_line_pool;
  uint32_t *class_pool;
  uint32_t nclass_pool, cap_class_pool;
  uint16_t *insn_pool;
  uint32_t ninsn_pool, cap_insn_pool;
  Special *specials;
  uint32_t nspecials, cap_specials;
  uint32_t *touched_specials;
  uint32_t ntouched_specials;
  RamSegment *ram;
  uint32_t nram, cap_ram;
  ReplayOp *replay_pool;   /* replay programs of the blocks (see sim_set_block_replay) */
  uint32_t nreplay_pool, cap_replay_pool;
  uint32_t replay_on;      /* replay programs in use (sim_set_replay) */
  uint32_t replay_stop;    /* an executable address where an empty uc_emu_start can begin and end */
  uint32_t replay_lo, replay_hi; /* code range whose replayed blocks are translated before each run */
  uint64_t mem_lo, mem_hi; /* the memory hook's range */
  uc_hook mem_hook_handle; /* 0: not installed */
  HostMap maps[MAX_HOST_MAPS]; /* guest memory the model allocated (sim_map_memory): replay reads values there */
  uint32_t nmaps;
  uint8_t *page_perm;      /* per 4 KB guest page: PAGE_READ | PAGE_WRITE where mapped (replay stops at a fault) */
  uint32_t ro_base, ro_size; /* the largest read-only and read-write host maps (flash, SRAM): checked first */
  uint32_t rw_base, rw_size;
  /* dynamic state */
  Cache icache, dcache;
  uint32_t cur_line, pf_line;
  uint64_t pf_ready;
  int32_t prev_block;      /* the block executing now (-1 before the first) */
  uint64_t entry_cycles;   /* traced block: cycles before its charge */
  uint64_t entry_special;  /* traced block: special_cycles at its entry */
  uint64_t entry_unaligned; /* traced block: unaligned_cycles at its entry */
  uint32_t unaligned_penalty[3]; /* halfword at an odd address, word at 2 mod 4, word at an odd address */
  uint32_t *line_stall;    /* traced block: fetch stall of each of its lines */
  uint32_t cap_line_stall;
  uint32_t trace_pc;       /* last instruction seen by the trace hook */
  int32_t sbus_block;      /* the System-bus block whose fetch stall is still to settle (-1 none) */
  uint64_t code_reads;     /* data reads from the code region (D-Code), counted by mem_hook */
  uint32_t dcode_flash_size; /* flash reads counted as D-Code reads (0: not counted) */
  uint32_t dcode_sram_base, dcode_sram_size; /* code-region SRAM whose reads are counted (size 0: none) */
  uint64_t sbus_reads_at;  /* code_reads when sbus_block was entered */
  uint32_t overlay_lo, overlay_hi; /* code addresses overlays are loaded to (hi = lo: none) */
  uint32_t overlay_reg;    /* unicorn id of the register naming the overlay just loaded */
  uint32_t overlay;        /* the overlay loaded now (its load end address; 0 before the first) */
  /* counters */
  uint64_t cycles, instructions;
  uint64_t fetch_stalls, data_stalls, branch_penalty, special_cycles;
  uint64_t unaligned_cycles; /* the part of data_stalls charged for unaligned accesses */
  uint64_t replayed_accesses, hooked_accesses; /* data accesses charged by replay_block / by mem_hook */
  uint32_t limit_hit;
  uint32_t limit_pc;       /* the block the instruction limit stopped before */
  uint32_t fault_kind;     /* 0 none, 1 unmapped/protected memory, 2 interrupt */
  uint64_t fault_address;
  uint32_t fault_intno;
  /* peripherals */
  PeriphReg *regs;         /* sorted by addr */
  uint32_t nregs, cap_regs;
  uint32_t *pm_keys, *pm_vals; /* sparse plain memory of unlisted peripheral words; key 0 = empty */
  uint32_t pm_mask, pm_count;
  uint8_t *uart;
  uint32_t uart_len, uart_cap;
  uint32_t cyccnt_offset;  /* CYCCNT = cycles + offset (mod 2^32); set by a CYCCNT write */
  uint32_t cyccnt_pending; /* untraced blocks that read CYCCNT in this run */
  MmioRegion mmio[MAX_MMIO];
  uint32_t nmmio;
  /* the call fast path's shared memory (JS views it through koffi.view) */
  uint32_t io_regs[16];
  double io_counters[N_COUNTERS];
  double io_classes[2 * MAX_CLASSES + 1]; /* cycles, count per class; then divide extra */
} SimState;

/* peripherals.c */
void periph_reset(SimState *s);
int periph_peek(const SimState *s, uint32_t addr, uint32_t size, uint32_t *value);
/* cycles.c: marks guest pages [base, base + size) with PAGE_* permissions (0 on allocation failure). */
int sim_note_pages(SimState *s, uint32_t base, uint32_t size, uint32_t perm);
void periph_free(SimState *s);

/* cycles.c: the cycle count at the instruction executing now (exact in traced blocks). */
uint64_t sim_cycles_at_pc(SimState *s);

#endif
