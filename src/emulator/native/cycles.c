/*
 * sim-dse cycle accounting, native part.
 *
 * Unicorn calls these hooks from its JIT-compiled code; a JavaScript callback
 * costs 0.2-0.6 us per call through the FFI, far too slow to run once per
 * basic block of a tight loop. So the per-execution work lives here and is
 * small: look the block up, add its precomputed cost, resolve the previous
 * block's branch (taken or not), and walk the flash lines it spans through the
 * ART model. Decoding and costing a block happens once, in TypeScript
 * (src/emulator/timing/), through the miss callback, which defines the block
 * here with sim_define_block().
 *
 * Nothing here knows instruction encodings or timing rules: those are data
 * tables on the TypeScript side. This file is the execution-time half only.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#define END_NONE 0u        /* block falls through (page boundary, size limit) */
#define END_CONDITIONAL 1u /* ends in a branch that may or may not be taken */
#define END_ALWAYS 2u      /* ends in an unconditional branch / PC write */

#define SPECIAL_EXTRA 1u   /* add a fixed number of cycles when executed (IT-conditional) */
#define SPECIAL_SDIV 2u    /* operand-dependent divide, signed */
#define SPECIAL_UDIV 3u    /* operand-dependent divide, unsigned */

#define CACHE_WAYS 4u

typedef struct {
  uint32_t addr, size;
  uint32_t base;           /* zero-wait-state cycles, branch not taken */
  uint32_t instructions;
  uint32_t taken_penalty;  /* pipeline refill when the ending branch is taken */
  uint32_t end_kind;
  uint32_t fallthrough;
  uint32_t line_first;     /* index into line_cycles pool */
  uint32_t nlines;         /* flash lines spanned (0 when not in flash) */
  uint32_t first_line;     /* absolute flash line number of the first line */
  uint64_t exec_count;
  uint64_t taken_count;
} Block;

typedef struct {
  uint32_t addr;
  uint32_t kind;
  uint32_t extra;          /* SPECIAL_EXTRA: cycles to add */
  uint32_t rn, rm;         /* divide operand register ids (unicorn numbering) */
  uint64_t count;          /* times executed */
  uint64_t cycles;         /* extra cycles charged */
} Special;

typedef struct {
  uint32_t nlines;         /* total lines; 0 = no cache */
  uint32_t sets;           /* a power of two */
  uint32_t ways;
  uint32_t *tags;          /* sets*ways line numbers, 0xffffffff = invalid */
  uint8_t *next_victim;    /* per set: round-robin replacement pointer */
  uint16_t *slot_of;       /* per flash line: its slot + 1, 0 = not cached (O(1) lookup) */
  uint32_t flash_lines;
} Cache;

typedef void (*miss_cb_t)(uint32_t addr, uint32_t size);

typedef struct {
  /* parameters */
  uint32_t flash_base, flash_size, line_bytes, wait_states, prefetch;
  uint64_t max_instructions;
  miss_cb_t miss_cb;
  /* block table: open addressing over (addr,size) -> index+1 */
  Block *blocks;
  uint32_t nblocks, cap_blocks;
  uint32_t *index;
  uint32_t index_mask;
  uint16_t *line_pool;
  uint32_t nline_pool, cap_line_pool;
  Special *specials;
  uint32_t nspecials, cap_specials;
  /* dynamic state */
  Cache icache, dcache;
  uint32_t cur_line, pf_line;
  uint64_t pf_ready;
  int32_t prev_block;      /* -1 none */
  /* counters */
  uint64_t cycles, instructions;
  uint64_t fetch_stalls, data_stalls, branch_penalty, special_cycles;
  uint32_t limit_hit;
  uint32_t fault_kind;     /* 0 none, 1 unmapped/protected memory, 2 interrupt */
  uint64_t fault_address;
  uint32_t fault_pc;
  uint32_t fault_intno;
} SimState;

static void cache_free(Cache *c) {
  free(c->tags);
  free(c->next_victim);
  free(c->slot_of);
  memset(c, 0, sizeof *c);
}

static void cache_init(Cache *c, uint32_t nlines, uint32_t flash_lines) {
  cache_free(c);
  if (nlines == 0) return;
  c->ways = nlines < CACHE_WAYS ? nlines : CACHE_WAYS;
  while (c->ways & (c->ways - 1)) c->ways &= c->ways - 1; /* a power of two: masks, not divisions */
  c->sets = nlines / c->ways;
  /* sets must be a power of two so the set index is a mask */
  while (c->sets & (c->sets - 1)) c->sets &= c->sets - 1;
  c->nlines = c->sets * c->ways;
  c->flash_lines = flash_lines;
  c->tags = malloc(sizeof(uint32_t) * c->nlines);
  c->next_victim = calloc(c->sets, 1);
  c->slot_of = calloc(flash_lines, sizeof(uint16_t));
  memset(c->tags, 0xff, sizeof(uint32_t) * c->nlines);
}

static void cache_clear(Cache *c) {
  if (c->nlines == 0) return;
  /* O(cache lines), not O(flash lines): only cached lines have a slot entry */
  for (uint32_t i = 0; i < c->nlines; i++) {
    if (c->tags[i] != 0xffffffffu) c->slot_of[c->tags[i]] = 0;
    c->tags[i] = 0xffffffffu;
  }
  memset(c->next_victim, 0, c->sets);
}

/*
 * Looks a line up; on a miss inserts it. Set-associative with CACHE_WAYS
 * ways and round-robin replacement: ST does not document the ART's
 * organisation, this is the model's stated assumption. O(1) through the
 * per-line slot table. Returns 1 on a hit.
 */
static inline int cache_access(Cache *c, uint32_t line) {
  if (line >= c->flash_lines) return 0;
  if (c->slot_of[line]) return 1;
  uint32_t set = line & (c->sets - 1);
  uint32_t way = c->next_victim[set];
  c->next_victim[set] = (uint8_t)((way + 1) & (c->ways - 1));
  uint32_t slot = set * c->ways + way;
  uint32_t old = c->tags[slot];
  if (old != 0xffffffffu) c->slot_of[old] = 0;
  c->tags[slot] = line;
  c->slot_of[line] = (uint16_t)(slot + 1);
  return 0;
}

static uint32_t hash_key(uint32_t addr, uint32_t size) {
  uint32_t h = addr * 0x9E3779B1u ^ (size * 0x85EBCA77u);
  return h ^ (h >> 15);
}

static void index_insert(SimState *s, uint32_t i) {
  uint32_t h = hash_key(s->blocks[i].addr, s->blocks[i].size) & s->index_mask;
  while (s->index[h]) h = (h + 1) & s->index_mask;
  s->index[h] = i + 1;
}

static int32_t index_find(const SimState *s, uint32_t addr, uint32_t size) {
  uint32_t h = hash_key(addr, size) & s->index_mask;
  for (;;) {
    uint32_t v = s->index[h];
    if (!v) return -1;
    const Block *b = &s->blocks[v - 1];
    if (b->addr == addr && b->size == size) return (int32_t)(v - 1);
    h = (h + 1) & s->index_mask;
  }
}

/*
 * params: [0] flash_base [1] flash_size [2] line_bytes [3] wait_states
 *         [4] icache_lines [5] dcache_lines [6] prefetch
 */
SimState *sim_new(const uint32_t *params) {
  SimState *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->flash_base = params[0];
  s->flash_size = params[1];
  s->line_bytes = params[2] ? params[2] : 16;
  s->wait_states = params[3];
  s->prefetch = params[6];
  uint32_t flash_lines = s->flash_size / s->line_bytes;
  cache_init(&s->icache, params[4], flash_lines);
  cache_init(&s->dcache, params[5], flash_lines);
  s->cap_blocks = 1024;
  s->blocks = calloc(s->cap_blocks, sizeof(Block));
  s->index_mask = 4096 - 1;
  s->index = calloc(s->index_mask + 1, sizeof(uint32_t));
  s->cap_line_pool = 4096;
  s->line_pool = calloc(s->cap_line_pool, sizeof(uint16_t));
  s->max_instructions = UINT64_MAX;
  s->prev_block = -1;
  s->cur_line = s->pf_line = 0xffffffffu;
  return s;
}

void sim_free(SimState *s) {
  if (!s) return;
  free(s->blocks);
  free(s->index);
  free(s->line_pool);
  free(s->specials);
  cache_free(&s->icache);
  cache_free(&s->dcache);
  free(s);
}

void sim_set_miss_callback(SimState *s, miss_cb_t cb) { s->miss_cb = cb; }

void sim_set_limit(SimState *s, double max_instructions) {
  s->max_instructions = max_instructions <= 0 ? UINT64_MAX : (uint64_t)max_instructions;
}

/* Starts a new measurement: counters to zero; caches cold unless keep_caches. */
void sim_reset(SimState *s, int keep_caches) {
  s->cycles = s->instructions = 0;
  s->fetch_stalls = s->data_stalls = s->branch_penalty = s->special_cycles = 0;
  s->limit_hit = 0;
  s->fault_kind = 0;
  s->fault_address = 0;
  s->fault_intno = 0;
  s->fault_pc = 0;
  s->prev_block = -1;
  for (uint32_t i = 0; i < s->nblocks; i++) s->blocks[i].exec_count = s->blocks[i].taken_count = 0;
  for (uint32_t i = 0; i < s->nspecials; i++) s->specials[i].count = s->specials[i].cycles = 0;
  if (!keep_caches) {
    cache_clear(&s->icache);
    cache_clear(&s->dcache);
    s->cur_line = s->pf_line = 0xffffffffu;
    s->pf_ready = 0;
  }
}

/*
 * Defines a block; line_cycles holds the zero-wait cycles of the instructions
 * that start in each flash line the block spans (nlines entries, may be 0
 * when the block is not in flash). Returns the block id, or -1 on allocation failure.
 */
int32_t sim_define_block(SimState *s, uint32_t addr, uint32_t size, uint32_t base,
                         uint32_t instructions, uint32_t taken_penalty, uint32_t end_kind,
                         const uint16_t *line_cycles, uint32_t nlines) {
  int32_t found = index_find(s, addr, size);
  if (found >= 0) return found;
  if (s->nblocks == s->cap_blocks) {
    uint32_t cap = s->cap_blocks * 2;
    Block *nb = realloc(s->blocks, sizeof(Block) * cap);
    if (!nb) return -1;
    s->blocks = nb;
    s->cap_blocks = cap;
  }
  if ((s->nblocks + 1) * 2 > s->index_mask + 1) {
    uint32_t cap = (s->index_mask + 1) * 2;
    uint32_t *ni = calloc(cap, sizeof(uint32_t));
    if (!ni) return -1;
    free(s->index);
    s->index = ni;
    s->index_mask = cap - 1;
    for (uint32_t i = 0; i < s->nblocks; i++) index_insert(s, i);
  }
  while (s->nline_pool + nlines > s->cap_line_pool) {
    uint32_t cap = s->cap_line_pool * 2;
    uint16_t *np = realloc(s->line_pool, sizeof(uint16_t) * cap);
    if (!np) return -1;
    s->line_pool = np;
    s->cap_line_pool = cap;
  }
  Block *b = &s->blocks[s->nblocks];
  memset(b, 0, sizeof *b);
  b->addr = addr;
  b->size = size;
  b->base = base;
  b->instructions = instructions;
  b->taken_penalty = taken_penalty;
  b->end_kind = end_kind;
  b->fallthrough = addr + size;
  b->nlines = nlines;
  b->line_first = s->nline_pool;
  b->first_line = nlines ? (addr - s->flash_base) / s->line_bytes : 0;
  if (nlines) memcpy(s->line_pool + s->nline_pool, line_cycles, sizeof(uint16_t) * nlines);
  s->nline_pool += nlines;
  index_insert(s, s->nblocks);
  return (int32_t)s->nblocks++;
}

/* Registers an instruction whose cost is only known when it executes. */
int32_t sim_add_special(SimState *s, uint32_t addr, uint32_t kind, uint32_t extra, uint32_t rn,
                        uint32_t rm) {
  if (s->nspecials == s->cap_specials) {
    uint32_t cap = s->cap_specials ? s->cap_specials * 2 : 16;
    Special *ns = realloc(s->specials, sizeof(Special) * cap);
    if (!ns) return -1;
    s->specials = ns;
    s->cap_specials = cap;
  }
  Special *sp = &s->specials[s->nspecials];
  memset(sp, 0, sizeof *sp);
  sp->addr = addr;
  sp->kind = kind;
  sp->extra = extra;
  sp->rn = rn;
  sp->rm = rm;
  return (int32_t)s->nspecials++;
}

/* Instruction fetch of one block through the flash / ART model. */
static inline void fetch_block(SimState *s, const Block *b) {
  const uint16_t *lc = s->line_pool + b->line_first;
  const uint64_t ws = s->wait_states;
  const int prefetch = s->prefetch != 0;
  const int has_icache = s->icache.nlines != 0;
  uint64_t t = s->cycles, stalls = 0, pf_ready = s->pf_ready;
  uint32_t cur = s->cur_line, pf_line = s->pf_line;
  uint32_t line = b->first_line;
  for (uint32_t i = 0; i < b->nlines; i++, line++) {
    if (line != cur) {
      uint64_t stall = 0;
      if (!(has_icache && cache_access(&s->icache, line))) {
        if (prefetch && line == pf_line)
          stall = pf_ready > t ? pf_ready - t : 0;
        else
          stall = ws;
      }
      t += stall;
      stalls += stall;
      cur = line;
      if (prefetch) {
        pf_line = line + 1;
        pf_ready = t + ws + 1;
      }
    }
    t += lc[i];
  }
  s->cycles = t;
  s->fetch_stalls += stalls;
  s->pf_ready = pf_ready;
  s->cur_line = cur;
  s->pf_line = pf_line;
}

static void block_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
  SimState *s = user;
  int32_t id = index_find(s, (uint32_t)address, size);
  if (id < 0) {
    if (s->miss_cb) s->miss_cb((uint32_t)address, size);
    id = index_find(s, (uint32_t)address, size);
    if (id < 0) {
      uc_emu_stop(uc);
      return;
    }
  }
  if (s->prev_block >= 0) {
    Block *p = &s->blocks[s->prev_block];
    if (p->end_kind == END_ALWAYS || (p->end_kind == END_CONDITIONAL && (uint32_t)address != p->fallthrough)) {
      p->taken_count++;
      s->cycles += p->taken_penalty;
      s->branch_penalty += p->taken_penalty;
    }
  }
  Block *b = &s->blocks[id];
  b->exec_count++;
  s->instructions += b->instructions;
  if (b->nlines && s->wait_states)
    fetch_block(s, b);
  else
    s->cycles += b->base;
  s->prev_block = id;
  if (s->instructions > s->max_instructions) {
    s->limit_hit = 1;
    uc_emu_stop(uc);
  }
}

static int find_special(const SimState *s, uint32_t addr) {
  uint32_t lo = 0, hi = s->nspecials;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (s->specials[mid].addr < addr) lo = mid + 1;
    else hi = mid;
  }
  return lo < s->nspecials && s->specials[lo].addr == addr ? (int)lo : -1;
}

static int cmp_special(const void *a, const void *b) {
  uint32_t x = ((const Special *)a)->addr, y = ((const Special *)b)->addr;
  return x < y ? -1 : x > y;
}

/* Sorts the specials table; call once after all sim_add_special calls. */
void sim_sort_specials(SimState *s) { qsort(s->specials, s->nspecials, sizeof(Special), cmp_special); }

/*
 * Divide timing model (documented in src/emulator/timing/table.ts): 2 cycles,
 * plus one cycle per started 3.2 bits of quotient magnitude, so 2..12.
 */
static uint32_t divide_extra(uint32_t n, uint32_t d, int is_signed) {
  if (is_signed) {
    n = (int32_t)n < 0 ? 0u - n : n;
    d = (int32_t)d < 0 ? 0u - d : d;
  }
  if (d == 0) return 0;
  uint32_t q = n / d;
  uint32_t bits = q ? 32u - (uint32_t)__builtin_clz(q) : 0u;
  return (bits * 10u + 31u) >> 5;
}

static void code_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
  (void)size;
  SimState *s = user;
  int i = find_special(s, (uint32_t)address);
  if (i < 0) return;
  Special *sp = &s->specials[i];
  uint32_t extra = 0;
  if (sp->kind == SPECIAL_EXTRA) {
    extra = sp->extra;
  } else {
    uint32_t n = 0, d = 0;
    uc_reg_read(uc, (int)sp->rn, &n);
    uc_reg_read(uc, (int)sp->rm, &d);
    extra = divide_extra(n, d, sp->kind == SPECIAL_SDIV);
  }
  sp->count++;
  sp->cycles += extra;
  s->cycles += extra;
  s->special_cycles += extra;
}

/* Data reads: ART data cache for constant loads from flash. */
static void mem_read_hook(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
                          void *user) {
  (void)uc;
  (void)type;
  (void)size;
  (void)value;
  SimState *s = user;
  uint32_t a = (uint32_t)address;
  if (a - s->flash_base >= s->flash_size || s->wait_states == 0) return;
  uint32_t line = (a - s->flash_base) / s->line_bytes;
  if (s->dcache.nlines && cache_access(&s->dcache, line)) return;
  s->cycles += s->wait_states;
  s->data_stalls += s->wait_states;
}

static bool unmapped_hook(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
                          void *user) {
  (void)uc;
  (void)type;
  (void)size;
  (void)value;
  SimState *s = user;
  s->fault_kind = 1;
  s->fault_address = address;
  return false;
}

static void intr_hook(uc_engine *uc, uint32_t intno, void *user) {
  SimState *s = user;
  s->fault_kind = 2;
  s->fault_intno = intno;
  uc_emu_stop(uc);
}

/*
 * Per-instruction trace of the last PC. Unicorn 2.0.1 reports a memory fault
 * with the PC of the translated block's start, so after a fault the call is
 * replayed once with this hook to name the faulting instruction.
 */
static void trace_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
  (void)uc;
  (void)size;
  ((SimState *)user)->fault_pc = (uint32_t)address;
}

/* Hook entry points, for uc_hook_add from JavaScript. */
void *sim_block_hook_fn(void) { return (void *)&block_hook; }
void *sim_code_hook_fn(void) { return (void *)&code_hook; }
void *sim_mem_read_hook_fn(void) { return (void *)&mem_read_hook; }
void *sim_unmapped_hook_fn(void) { return (void *)&unmapped_hook; }
void *sim_intr_hook_fn(void) { return (void *)&intr_hook; }
void *sim_trace_hook_fn(void) { return (void *)&trace_hook; }

/*
 * Counters, as doubles (exact up to 2^53): [0] cycles [1] instructions
 * [2] fetch_stalls [3] data_stalls [4] branch_penalty [5] special_cycles
 * [6] limit_hit [7] fault_kind [8] fault_address [9] fault_intno [10] nblocks
 * [11] fault_pc (last instruction seen by the trace hook)
 */
void sim_counters(const SimState *s, double *out) {
  out[0] = (double)s->cycles;
  out[1] = (double)s->instructions;
  out[2] = (double)s->fetch_stalls;
  out[3] = (double)s->data_stalls;
  out[4] = (double)s->branch_penalty;
  out[5] = (double)s->special_cycles;
  out[6] = s->limit_hit;
  out[7] = s->fault_kind;
  out[8] = (double)s->fault_address;
  out[9] = s->fault_intno;
  out[10] = s->nblocks;
  out[11] = s->fault_pc;
}

/* Per-block execution and taken counts, for blocks [0, n). */
void sim_block_counts(const SimState *s, uint32_t n, double *exec, double *taken) {
  for (uint32_t i = 0; i < n && i < s->nblocks; i++) {
    exec[i] = (double)s->blocks[i].exec_count;
    taken[i] = (double)s->blocks[i].taken_count;
  }
}

/* Per-special counts and cycles, in sorted order; addresses in addr. */
void sim_special_counts(const SimState *s, uint32_t n, double *addr, double *count, double *cycles) {
  for (uint32_t i = 0; i < n && i < s->nspecials; i++) {
    addr[i] = s->specials[i].addr;
    count[i] = (double)s->specials[i].count;
    cycles[i] = (double)s->specials[i].cycles;
  }
}

static const int CORE_REGS[16] = {
    UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,  UC_ARM_REG_R4,  UC_ARM_REG_R5,
    UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8,  UC_ARM_REG_R9,  UC_ARM_REG_R10, UC_ARM_REG_R11,
    UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC};

/* Reads r0..r15 in one call (16 FFI round trips saved per emulated call). */
int sim_read_core(uc_engine *uc, uint32_t *out) {
  for (int i = 0; i < 16; i++) {
    int err = uc_reg_read(uc, CORE_REGS[i], &out[i]);
    if (err) return err;
  }
  return 0;
}

/* Writes r0..r14 in one call (the PC is set by uc_emu_start). */
int sim_write_core(uc_engine *uc, const uint32_t *in) {
  for (int i = 0; i < 15; i++) {
    int err = uc_reg_write(uc, CORE_REGS[i], &in[i]);
    if (err) return err;
  }
  return 0;
}

/* Current cycle count (for memory-mapped cycle counters such as DWT CYCCNT). */
double sim_cycles_now(const SimState *s) { return (double)s->cycles; }
