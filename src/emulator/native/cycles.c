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
 * A whole call is one FFI call (sim_run): registers in and out, counters and
 * the per-class breakdown go through memory JavaScript views directly.
 * Blocks that read DWT CYCCNT are traced per instruction (sim_trace_block) so
 * the counter reads exactly; peripherals.c serves the peripheral regions.
 *
 * Nothing here knows instruction encodings or timing rules: those are data
 * tables on the TypeScript side. This file is the execution-time half only.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>
#include "sim.h"

#define CACHE_WAYS 4u
#define STREAM_MIN_LINES 16u /* blocks longer than this try the streaming fast path */
#define REPLAY_OP_WORDS 3u   /* words per replayed access (src/emulator/timing/access-replay.ts) */
#define REPLAY_NO_INDEX 31u  /* index field of an access without an index register */
#define REPLAY_ASK_RUNS 16u  /* executions in a run after which a flash block's replay program is asked for */

static const int CORE_REGS[16] = {
    UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,  UC_ARM_REG_R4,  UC_ARM_REG_R5,
    UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8,  UC_ARM_REG_R9,  UC_ARM_REG_R10, UC_ARM_REG_R11,
    UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC};


static void cache_free(Cache *c) {
  free(c->tags);
  free(c->next_victim);
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
  c->epoch = 1; /* blocks start at cached_epoch 0: never */
  c->tags = malloc(sizeof(uint32_t) * c->nlines);
  c->next_victim = calloc(c->sets, 1);
  memset(c->tags, 0xff, sizeof(uint32_t) * c->nlines);
}

static void cache_clear(Cache *c) {
  if (c->nlines == 0) return;
  c->epoch++;
  memset(c->tags, 0xff, sizeof(uint32_t) * c->nlines);
  memset(c->next_victim, 0, c->sets);
}

/*
 * Looks a line up; on a miss inserts it. Set-associative with CACHE_WAYS
 * ways and round-robin replacement: ST does not document the ART's
 * organisation, this is the model's stated assumption. The set's ways are
 * compared directly (the whole tag array is a few hundred bytes). Lines
 * outside flash are never cached. Returns 1 on a hit.
 */
static inline int cache_access(Cache *c, uint32_t line) {
  if (line >= c->flash_lines) return 0;
  const uint32_t set = line & (c->sets - 1);
  uint32_t *t = c->tags + set * c->ways;
  if (c->ways == CACHE_WAYS) {
    /* the usual geometry: the four ways compared without a branch each (a hit is unpredictable) */
    if ((t[0] == line) | (t[1] == line) | (t[2] == line) | (t[3] == line)) return 1;
  } else {
    for (uint32_t w = 0; w < c->ways; w++)
      if (t[w] == line) return 1;
  }
  uint32_t way = c->next_victim[set];
  c->next_victim[set] = (uint8_t)((way + 1) & (c->ways - 1));
  t[way] = line;
  c->epoch++;
  return 0;
}

/* Whether any line of [first, first + n) is cached: one pass over the tags. */
static inline int cache_holds_any(const Cache *c, uint32_t first, uint32_t n) {
  uint32_t any = 0;
  for (uint32_t i = 0; i < c->nlines; i++) any |= (c->tags[i] - first) < n; /* invalid tags wrap high */
  return any != 0;
}

/*
 * Inserts lines [first, first + n) in order, none of them cached, with the
 * effect of n cache_access() misses. Consecutive lines go to consecutive
 * sets; a set's k-th insertion takes way (victim + k) mod ways, so only its
 * last `ways` insertions survive and only they are written; then the set's
 * victim pointer advances by its insertions. O(cache lines), not O(n).
 */
static void cache_insert_run(Cache *c, uint32_t first, uint32_t n) {
  c->epoch++;
  const uint32_t S = c->sets, W = c->ways, sbits = (uint32_t)__builtin_ctz(S);
  const uint32_t end = first + n;
  for (uint32_t set = 0; set < S; set++) {
    const uint32_t f = first + ((set - first) & (S - 1)); /* the set's first line in the range */
    if (f >= end) continue;
    const uint32_t count = ((end - 1 - f) >> sbits) + 1;
    const uint32_t v = c->next_victim[set];
    uint32_t *t = c->tags + set * W;
    uint32_t k = count > W ? count - W : 0;
    for (uint32_t l = f + (k << sbits); k < count; k++, l += S) t[(v + k) & (W - 1)] = l;
    c->next_victim[set] = (uint8_t)((v + count) & (W - 1));
  }
}

static uint32_t hash_key(uint32_t addr, uint32_t size, uint32_t overlay) {
  uint32_t h = addr * 0x9E3779B1u ^ (size * 0x85EBCA77u) ^ (overlay * 0xC2B2AE3Du);
  return h ^ (h >> 15);
}

/*
 * The overlay a block at addr belongs to: code in the overlay range is
 * rewritten at run time (one layer's code after another's, see
 * sim_set_overlay_range), so a block there is known by the overlay loaded
 * when it ran as well as by its address and size; elsewhere 0.
 */
static inline uint32_t overlay_of(const SimState *s, uint32_t addr) {
  return addr - s->overlay_lo < s->overlay_hi - s->overlay_lo ? s->overlay : 0u;
}

static void index_insert(SimState *s, uint32_t i) {
  uint32_t h = hash_key(s->blocks[i].addr, s->blocks[i].size, s->blocks[i].overlay) & s->index_mask;
  while (s->index[h]) h = (h + 1) & s->index_mask;
  s->index[h] = i + 1;
}

static int32_t index_find(const SimState *s, uint32_t addr, uint32_t size) {
  const uint32_t overlay = overlay_of(s, addr);
  uint32_t h = hash_key(addr, size, overlay) & s->index_mask;
  for (;;) {
    uint32_t v = s->index[h];
    if (!v) return -1;
    const Block *b = &s->blocks[v - 1];
    if (b->addr == addr && b->size == size && b->overlay == overlay) return (int32_t)(v - 1);
    h = (h + 1) & s->index_mask;
  }
}

/* Grows *pool (elements of `elem` bytes) to hold `need`; returns 0 on allocation failure. */
static int grow(void **pool, uint32_t *cap, uint32_t need, size_t elem) {
  if (need <= *cap) return 1;
  uint32_t c = *cap ? *cap : 64;
  while (c < need) c *= 2;
  void *p = realloc(*pool, elem * c);
  if (!p) return 0;
  *pool = p;
  *cap = c;
  return 1;
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
  s->line_shift = (s->line_bytes & (s->line_bytes - 1)) ? 32u : (uint32_t)__builtin_ctz(s->line_bytes);
  s->wait_states = params[3];
  s->prefetch = params[6];
  uint32_t flash_lines = s->flash_size / s->line_bytes;
  cache_init(&s->icache, params[4], flash_lines);
  cache_init(&s->dcache, params[5], flash_lines);
  s->cap_blocks = 1024;
  s->blocks = calloc(s->cap_blocks, sizeof(Block));
  s->touched = calloc(s->cap_blocks, sizeof(uint32_t));
  s->index_mask = 4096 - 1;
  s->index = calloc(s->index_mask + 1, sizeof(uint32_t));
  s->max_instructions = UINT64_MAX;
  s->prev_block = -1;
  s->sbus_block = -1;
  s->cur_line = s->pf_line = 0xffffffffu;
  if (!s->blocks || !s->touched || !s->index) {
    free(s->blocks);
    free(s->touched);
    free(s->index);
    free(s);
    return NULL;
  }
  return s;
}

void sim_free(SimState *s) {
  if (!s) return;
  free(s->blocks);
  free(s->touched);
  free(s->index);
  free(s->line_pool);
  free(s->class_pool);
  free(s->insn_pool);
  free(s->line_stall);
  free(s->specials);
  free(s->replay_pool);
  for (uint32_t i = 0; i < s->nmaps; i++) free(s->maps[i].bytes); /* the engine is closed first (Machine.close) */
  free(s->page_perm);
  free(s->touched_specials);
  for (uint32_t i = 0; i < s->nram; i++) free(s->ram[i].bytes);
  free(s->ram);
  periph_free(s);
  cache_free(&s->icache);
  cache_free(&s->dcache);
  free(s);
}

void sim_set_miss_callback(SimState *s, miss_cb_t cb) { s->miss_cb = cb; }

/* The callback that gives a hot block its replay program (sim_set_block_replay), asked once per block. */
void sim_set_replay_callback(SimState *s, replay_cb_t cb) { s->replay_cb = cb; }

/* Uses the line-by-line reference fetch walk for every block (to check the fast path against it). */
void sim_set_reference_fetch(SimState *s, int on) { s->reference_fetch = on != 0; }

void sim_set_limit(SimState *s, double max_instructions) {
  s->max_instructions = max_instructions <= 0 ? UINT64_MAX : (uint64_t)max_instructions;
}

/*
 * Starts a new measurement: counters to zero, peripherals to their reset
 * state; caches cold unless keep_caches. O(blocks and specials executed in
 * the previous run), not O(all blocks).
 */
void sim_reset(SimState *s, int keep_caches) {
  /* The prefetch buffer's ready time is absolute: rebase it to the new run's cycle 0. */
  s->pf_ready = s->pf_ready > s->cycles ? s->pf_ready - s->cycles : 0;
  s->cycles = s->instructions = 0;
  s->fetch_stalls = s->data_stalls = s->branch_penalty = s->special_cycles = 0;
  s->unaligned_cycles = 0;
  s->replayed_accesses = s->hooked_accesses = 0;
  s->limit_hit = 0;
  s->limit_pc = 0;
  s->fault_kind = 0;
  s->fault_address = 0;
  s->fault_intno = 0;
  s->trace_pc = 0;
  s->prev_block = -1;
  s->sbus_block = -1;
  s->overlay = 0;
  s->code_reads = s->sbus_reads_at = 0;
  for (uint32_t i = 0; i < s->ntouched; i++) {
    Block *b = &s->blocks[s->touched[i]];
    b->exec_count = b->taken_count = 0;
  }
  s->ntouched = 0;
  for (uint32_t i = 0; i < s->ntouched_specials; i++) {
    Special *sp = &s->specials[s->touched_specials[i]];
    sp->count = sp->cycles = 0;
  }
  s->ntouched_specials = 0;
  periph_reset(s);
  if (!keep_caches) {
    cache_clear(&s->icache);
    cache_clear(&s->dcache);
    s->cur_line = s->pf_line = 0xffffffffu;
    s->pf_ready = 0;
  }
}

/*
 * Defines a block. line_cycles holds the zero-wait cycles of the instructions
 * that start in each flash line the block spans (nlines entries, 0 when the
 * block is not in flash); classes holds nclasses triples (class index,
 * cycles, instructions) for the breakdown. Returns the block id, or -1 on
 * allocation failure.
 */
int32_t sim_define_block(SimState *s, uint32_t addr, uint32_t size, uint32_t base,
                         uint32_t instructions, uint32_t taken_penalty, uint32_t end_kind,
                         const uint16_t *line_cycles, uint32_t nlines, const uint32_t *classes,
                         uint32_t nclasses) {
  int32_t found = index_find(s, addr, size);
  if (found >= 0) return found;
  if (s->nblocks == s->cap_blocks) {
    uint32_t cap = s->cap_blocks * 2;
    Block *nb = realloc(s->blocks, sizeof(Block) * cap);
    if (!nb) return -1;
    s->blocks = nb;
    uint32_t *nt = realloc(s->touched, sizeof(uint32_t) * cap);
    if (!nt) return -1;
    s->touched = nt;
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
  if (!grow((void **)&s->line_pool, &s->cap_line_pool, s->nline_pool + nlines, sizeof(uint16_t))) return -1;
  if (!grow((void **)&s->class_pool, &s->cap_class_pool, s->nclass_pool + 3 * nclasses, sizeof(uint32_t))) return -1;
  if (!grow((void **)&s->line_stall, &s->cap_line_stall, nlines + 1, sizeof(uint32_t))) return -1;
  Block *b = &s->blocks[s->nblocks];
  memset(b, 0, sizeof *b);
  b->addr = addr;
  b->size = size;
  b->base = base;
  b->instructions = instructions;
  b->taken_penalty = taken_penalty;
  b->end_kind = end_kind;
  b->overlay = overlay_of(s, addr);
  b->fallthrough = addr + size;
  b->nlines = nlines;
  b->line_first = s->nline_pool;
  b->first_line = nlines ? (addr - s->flash_base) / s->line_bytes : 0;
  if (nlines) memcpy(s->line_pool + s->nline_pool, line_cycles, sizeof(uint16_t) * nlines);
  /* prefetch stalls of lines 2.. when none is cached: each waits ws + 1 - (cycles of the line before) */
  const uint32_t ws1 = s->wait_states + 1;
  for (uint32_t i = 0; i < nlines; i++) {
    b->base_in_lines += line_cycles[i];
    if (i >= 2) b->stream_stall += ws1 > line_cycles[i - 1] ? ws1 - line_cycles[i - 1] : 0;
  }
  s->nline_pool += nlines;
  b->class_first = s->nclass_pool;
  b->nclasses = nclasses;
  for (uint32_t i = 0; i < 3 * nclasses; i++) {
    uint32_t v = classes[i];
    if (i % 3 == 0 && v >= MAX_CLASSES) v = MAX_CLASSES - 1;
    s->class_pool[s->nclass_pool + i] = v;
  }
  s->nclass_pool += 3 * nclasses;
  index_insert(s, s->nblocks);
  return (int32_t)s->nblocks++;
}

/* Registers an instruction whose cost is only known when it executes. */
int32_t sim_add_special(SimState *s, uint32_t addr, uint32_t kind, uint32_t extra, uint32_t rn,
                        uint32_t rm, uint32_t cls) {
  if (s->nspecials == s->cap_specials) {
    uint32_t cap = s->cap_specials ? s->cap_specials * 2 : 16;
    Special *ns = realloc(s->specials, sizeof(Special) * cap);
    if (!ns) return -1;
    s->specials = ns;
    uint32_t *nt = realloc(s->touched_specials, sizeof(uint32_t) * cap);
    if (!nt) return -1;
    s->touched_specials = nt;
    s->cap_specials = cap;
  }
  Special *sp = &s->specials[s->nspecials];
  memset(sp, 0, sizeof *sp);
  sp->addr = addr;
  sp->kind = kind;
  sp->extra = extra;
  sp->rn = rn;
  sp->rm = rm;
  sp->cls = cls < MAX_CLASSES ? cls : MAX_CLASSES - 1;
  return (int32_t)s->nspecials++;
}

/*
 * Instruction fetch of one block through the flash / ART model, reference
 * form: line by line, each new line an I-cache hit, the prefetched line
 * (ready ws + 1 cycles after the previous line was fetched) or a flash read
 * of ws wait states. When `rec` is set, the stall of each line is stored
 * there (traced blocks: exact CYCCNT reads).
 */
static void fetch_block_walk(SimState *s, const Block *b, uint32_t *rec) {
  const uint16_t *lc = s->line_pool + b->line_first;
  const uint64_t ws = s->wait_states;
  const int prefetch = s->prefetch != 0;
  const int has_icache = s->icache.nlines != 0;
  uint64_t t = s->cycles, stalls = 0, pf_ready = s->pf_ready;
  uint32_t cur = s->cur_line, pf_line = s->pf_line;
  uint32_t line = b->first_line;
  for (uint32_t i = 0; i < b->nlines; i++, line++) {
    uint64_t stall = 0;
    if (line != cur) {
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
    if (rec) rec[i] = (uint32_t)stall;
    t += lc[i];
  }
  s->cycles = t;
  s->fetch_stalls += stalls;
  s->pf_ready = pf_ready;
  s->cur_line = cur;
  s->pf_line = pf_line;
}

/*
 * The same model, specialised for the common case (I-cache and prefetch,
 * more than one line). After the first line, every line of a block is the
 * prefetched one, so its stall on a miss is known in advance:
 * max(0, ws + 1 - cycles of the previous line); only the I-cache has to be
 * consulted per line. Gives exactly the cycles of fetch_block_walk.
 */
static inline void fetch_block(SimState *s, Block *b) {
  if (!s->prefetch || !s->icache.nlines || b->nlines < 2 || s->reference_fetch) {
    fetch_block_walk(s, b, NULL);
    return;
  }
  const uint16_t *lc = s->line_pool + b->line_first;
  const uint32_t ws1 = s->wait_states + 1;
  Cache *ic = &s->icache;
  const uint32_t n = b->nlines;
  const uint32_t line = b->first_line;
  /*
   * Every line of the block was found cached and nothing has been inserted since (a hit
   * changes nothing): all hits again, no stall, without a look-up per line.
   */
  if (b->cached_epoch == ic->epoch) {
    const uint64_t last_start = s->cycles + (uint64_t)b->base_in_lines - lc[n - 1];
    s->pf_line = line + n;
    s->pf_ready = last_start + ws1;
    s->cur_line = line + n - 1;
    s->cycles = last_start + lc[n - 1];
    return;
  }
  const uint64_t epoch0 = ic->epoch;
  const int line0_looked_up = line != s->cur_line;
  uint64_t t = s->cycles, stalls = 0, pf1;
  /* line 0: the current line, an I-cache hit, the prefetched line or a flash read */
  if (line != s->cur_line) {
    uint64_t stall = 0;
    if (!cache_access(ic, line)) {
      if (line == s->pf_line)
        stall = s->pf_ready > t ? s->pf_ready - t : 0;
      else
        stall = s->wait_states;
    }
    t += stall;
    stalls += stall;
    pf1 = t + ws1;
  } else {
    pf1 = s->pf_ready; /* line 1 was prefetched when line 0 was fetched, earlier */
  }
  /* t: start of line 0. Line 1 is requested at t + lc[0], ready at pf1. */
  uint64_t extra = 0;
  uint64_t req1 = t + lc[0];
  uint64_t stall1 = pf1 > req1 ? pf1 - req1 : 0;
  uint32_t prev = lc[n - 1];
  uint64_t sum = (uint64_t)b->base_in_lines - prev; /* cycles of lines 0..n-2 */
  /*
   * Streaming: none of lines 1.. is cached (straight-line code larger than the
   * cache), so every one misses. Checked on long blocks only, where one pass
   * over the tags is cheaper than a look-up per line.
   */
  if (n > STREAM_MIN_LINES && line + n <= ic->flash_lines && !cache_holds_any(ic, line + 1, n - 1)) {
    extra = stall1 + b->stream_stall;
    cache_insert_run(ic, line + 1, n - 1);
  } else {
    if (!cache_access(ic, line + 1)) extra += stall1;
    uint32_t before = lc[1];
    for (uint32_t i = 2; i < n; i++) {
      /* line i is requested lc[i-1] cycles after line i-1 started and ready ws + 1 after */
      uint32_t miss_stall = ws1 > before ? ws1 - before : 0;
      if (!cache_access(ic, line + i)) extra += miss_stall;
      before = lc[i];
    }
  }
  /* start of the last line */
  uint64_t last_start = t + sum + extra;
  s->pf_line = line + n;
  s->pf_ready = last_start + ws1;
  s->cur_line = line + n - 1;
  s->cycles = last_start + prev;
  s->fetch_stalls += stalls + extra;
  /* all lines looked up hit (no insertion) and line 0 was among them: remember it */
  if (ic->epoch == epoch0 && line0_looked_up) b->cached_epoch = epoch0;
}

/*
 * A block fetched over the System bus (code at 0x2000_0000 and up; rules in
 * src/emulator/timing/memory-rules.ts) takes at least its fetch stream's
 * cycles plus one per data word it moved over the same bus, data first.
 * Its data reads from the code region went over D-Code instead; they are
 * known only once the block has run, so the stall is settled when the next
 * block starts (or the run ends): max(0, fetch + S-bus data - base).
 */
static inline void sbus_settle(SimState *s) {
  if (s->sbus_block < 0) return;
  const Block *b = &s->blocks[s->sbus_block];
  const uint64_t dcode = s->code_reads - s->sbus_reads_at;
  const uint64_t data = b->sbus_data > dcode ? b->sbus_data - dcode : 0;
  const uint64_t need = b->sbus_fetch + data;
  if (need > b->base) {
    s->cycles += need - b->base;
    s->fetch_stalls += need - b->base;
  }
  s->sbus_block = -1;
}

/* Marks block `id` as fetched over the System bus (fetch cycles, data words); see sbus_settle. */
int sim_set_block_sbus(SimState *s, uint32_t id, uint32_t fetch_cycles, uint32_t data_words) {
  if (id >= s->nblocks) return -1;
  s->blocks[id].sbus_fetch = fetch_cycles;
  s->blocks[id].sbus_data = data_words;
  return 0;
}

static void replay_block(SimState *s, uc_engine *uc, const Block *b);

static void block_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
  SimState *s = user;
  sbus_settle(s);
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
  if (b->exec_count++ == 0) s->touched[s->ntouched++] = (uint32_t)id;
  s->instructions += b->instructions;
  if (b->traced) {
    s->entry_cycles = s->cycles;
    s->entry_special = s->special_cycles;
    s->entry_unaligned = s->unaligned_cycles;
    if (b->nlines && s->wait_states)
      fetch_block_walk(s, b, s->line_stall);
    else
      s->cycles += b->base;
  } else if (b->nlines && s->wait_states) {
    fetch_block(s, b);
  } else {
    s->cycles += b->base;
  }
  if (b->sbus_fetch) {
    s->sbus_block = id;
    s->sbus_reads_at = s->code_reads;
  }
  s->prev_block = id;
  if (s->instructions > s->max_instructions) {
    s->limit_hit = 1;
    s->limit_pc = b->addr;
    uc_emu_stop(uc); /* the block does not run: its accesses are not replayed */
    return;
  }
  if (b->replay_active) replay_block(s, uc, b);
}

/*
 * The cycle count when the instruction executing now started: in a traced
 * block, the count at the block's entry plus the cycles of the block's
 * instructions before the traced PC, the fetch stalls of its lines up to the
 * PC's line and the special cycles charged since the entry; elsewhere the
 * count after the whole current block (blocks are charged at entry).
 */
uint64_t sim_cycles_at_pc(SimState *s) {
  if (s->prev_block < 0) return s->cycles;
  const Block *b = &s->blocks[s->prev_block];
  uint32_t pc = s->trace_pc;
  if (!b->traced || pc - b->addr >= b->size) return s->cycles;
  uint64_t t = s->entry_cycles + (s->special_cycles - s->entry_special) + (s->unaligned_cycles - s->entry_unaligned);
  const uint16_t *ins = s->insn_pool + 2 * b->insn_first;
  for (uint32_t i = 0; i < b->ninsns && b->addr + ins[2 * i] < pc; i++) t += ins[2 * i + 1];
  if (b->nlines && s->wait_states) {
    uint32_t k = (pc - s->flash_base) / s->line_bytes - b->first_line;
    for (uint32_t j = 0; j <= k && j < b->nlines; j++) t += s->line_stall[j];
  }
  return t;
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
  if (sp->count++ == 0) s->touched_specials[s->ntouched_specials++] = (uint32_t)i;
  sp->cycles += extra;
  s->cycles += extra;
  s->special_cycles += extra;
}

/*
 * Overlays: code loaded at run time into [lo, hi) (sim-dse's overlay loader,
 * one layer's code after another's). overlay_hook runs at the loader's
 * instruction after the copy and names the overlay now loaded by the value
 * of register reg (unicorn id), so blocks there are costed per overlay.
 */
void sim_set_overlay_range(SimState *s, uint32_t lo, uint32_t hi, uint32_t reg) {
  s->overlay_lo = lo;
  s->overlay_hi = hi;
  s->overlay_reg = reg;
}

static void overlay_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
  (void)address;
  (void)size;
  SimState *s = user;
  uint32_t v = 0;
  uc_reg_read(uc, (int)s->overlay_reg, &v);
  s->overlay = v;
}

/* Sets the unaligned access penalties (rules unaligned-* of src/emulator/timing/memory-rules.ts). */
void sim_set_unaligned(SimState *s, const uint32_t *penalty) { memcpy(s->unaligned_penalty, penalty, sizeof s->unaligned_penalty); }

/*
 * The code-region ranges whose data reads go over D-Code: [0] flash (ART data cache when it has
 * wait states), [1] SRAM mapped in the code region; size 0 = reads there are not counted.
 */
void sim_set_dcode_ranges(SimState *s, uint32_t flash_size, uint32_t sram_base, uint32_t sram_size) {
  s->dcode_flash_size = flash_size;
  s->dcode_sram_base = sram_base;
  s->dcode_sram_size = sram_size;
}

/*
 * Charges one data access: the unaligned penalty of a halfword or word at an unaligned address,
 * and for a read from the code region the D-Code count and the ART data cache.
 */
static inline void charge_access(SimState *s, int read, uint32_t a, uint32_t size, uint32_t *last_line) {
  uint32_t extra = 0;
  if (size == 2)
    extra = (a & 1u) ? s->unaligned_penalty[0] : 0;
  else if (size == 4 && (a & 3u))
    extra = (a & 1u) ? s->unaligned_penalty[2] : s->unaligned_penalty[1];
  if (extra) {
    s->cycles += extra;
    s->data_stalls += extra;
    s->unaligned_cycles += extra;
  }
  if (!read) return;
  if (a - s->flash_base < s->dcode_flash_size) {
    s->code_reads++;
    if (s->wait_states == 0) return;
    const uint32_t off = a - s->flash_base;
    const uint32_t line = s->line_shift < 32u ? off >> s->line_shift : off / s->line_bytes;
    /* the line of the previous flash read of the same replay is cached: a hit, no look-up */
    if (line == *last_line) return;
    *last_line = s->dcache.nlines ? line : 0xffffffffu;
    if (s->dcache.nlines && cache_access(&s->dcache, line)) return;
    s->cycles += s->wait_states;
    s->data_stalls += s->wait_states;
  } else if (a - s->dcode_sram_base < s->dcode_sram_size) {
    s->code_reads++;
  }
}

/*
 * The one data-memory hook (reads and writes of code and SRAM, 0x0000_0000..0x3fff_ffff).
 * Unicorn 2.0.1 sends every load and store through its slow path (load_helper/store_helper)
 * once any memory hook exists, and there walks its hook list for each access: one hook that
 * does both jobs costs one walk step and one call per access instead of up to three.
 *
 * Unaligned accesses: a halfword or word access (LDR, LDRH, LDRSH, STR, STRH; the others fault
 * when unaligned) at an unaligned address costs the table's extra cycles, into the data stalls.
 * An access Unicorn splits at a page boundary reaches this hook once as itself and again as its
 * aligned parts: only the first is unaligned, so it is charged once.
 *
 * Reads from the code region: counted as D-Code reads (they take no System-bus slot, see
 * sbus_settle); a read from flash with wait states goes through the ART data cache and pays the
 * wait states on a miss.
 *
 * Accesses of a block that has a replay program were charged when it was entered (replay_block):
 * ignored here.
 */
static void mem_hook(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value, void *user) {
  (void)uc;
  (void)value;
  SimState *s = user;
  if (s->prev_block >= 0 && s->blocks[s->prev_block].replay_active) return;
  s->hooked_accesses++;
  uint32_t none = 0xffffffffu;
  charge_access(s, type == UC_MEM_READ, (uint32_t)address, (uint32_t)size, &none);
}

/*
 * The value a load of `size` bytes at a gives (zero- or sign-extended), read from the host memory
 * behind the guest's (sim_map_memory: flash, SRAM, CCM) or from the peripheral model (periph_peek);
 * 0 where nothing is mapped (the load faults).
 */
static uint32_t read_value(const SimState *s, uint32_t a, uint32_t size, uint32_t sign) {
  uint8_t b[4] = {0, 0, 0, 0};
  const HostMap *m = NULL;
  for (uint32_t i = 0; i < s->nmaps && !m; i++)
    if (a - s->maps[i].base < s->maps[i].size && s->maps[i].size - (a - s->maps[i].base) >= size) m = &s->maps[i];
  uint32_t v;
  if (m) {
    memcpy(b, m->bytes + (a - m->base), size);
    v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
  } else if (!periph_peek(s, a, size, &v)) {
    return 0; /* unmapped: the load faults */
  }
  if (!sign || size == 4) return v;
  return size == 1 ? (uint32_t)(int32_t)(int8_t)v : (uint32_t)(int32_t)(int16_t)v;
}

/*
 * Maps guest memory [base, base + size) (both multiples of 4 KB) on host memory the model
 * allocates and keeps, so block replay reads loaded values directly. Returns a uc_err, or -1
 * when out of memory or maps.
 */
int sim_map_memory(SimState *s, uc_engine *uc, uint32_t base, uint32_t size, uint32_t perms) {
  if (s->nmaps == MAX_HOST_MAPS) return -1;
  uint8_t *bytes = aligned_alloc(4096, size);
  if (!bytes) return -1;
  memset(bytes, 0, size);
  int err = uc_mem_map_ptr(uc, base, size, perms, bytes);
  if (err) {
    free(bytes);
    return err;
  }
  s->maps[s->nmaps++] = (HostMap){base, size, bytes};
  if ((perms & UC_PROT_WRITE) && size > s->rw_size) s->rw_base = base, s->rw_size = size;
  if (!(perms & UC_PROT_WRITE) && size > s->ro_size) s->ro_base = base, s->ro_size = size;
  if (!sim_note_pages(s, base, size, PAGE_READ | ((perms & UC_PROT_WRITE) ? PAGE_WRITE : 0u))) return -1;
  return 0;
}

int sim_note_pages(SimState *s, uint32_t base, uint32_t size, uint32_t perm) {
  if (!s->page_perm && !(s->page_perm = calloc(1u << 20, 1))) return 0;
  for (uint64_t p = base >> 12; p < ((uint64_t)base + size + 4095u) >> 12 && p < (1u << 20); p++) s->page_perm[p] = (uint8_t)perm;
  return 1;
}

/*
 * Whether an access of `size` bytes at a would complete: its pages mapped with the permission
 * and, for a word of LDRD/STRD/LDM/STM, word-aligned. The memory hook never sees an access that
 * faults nor those after it in the block, so the replay stops there.
 */
static inline int access_completes(const SimState *s, uint32_t a, uint32_t size, uint32_t flags) {
  if ((flags & REPLAY_ALIGNED) && (a & 3u)) return 0;
  /* the usual cases first: all of it in SRAM, or a read all in flash */
  if (a - s->rw_base <= s->rw_size - size || ((flags & REPLAY_READ) && a - s->ro_base <= s->ro_size - size)) return 1;
  const uint8_t need = (flags & REPLAY_READ) ? PAGE_READ : PAGE_WRITE;
  if (!s->page_perm || !(s->page_perm[a >> 12] & need)) return 0;
  return (a & 4095u) + size <= 4096u || (s->page_perm[(a + size - 1u) >> 12] & need);
}

/*
 * Charges a block's data accesses at its entry from its replay program and the registers' entry
 * values, in the order the memory hook would see them: each access in the hook's range, and an
 * unaligned one that crosses a 1 KB page (Unicorn's page on the M profile) again as the two
 * aligned accesses Unicorn splits it into.
 */
static void replay_block(SimState *s, uc_engine *uc, const Block *b) {
  uint32_t v[32]; /* entry registers 0..15, 16 = 0 (absolute), value slots 17..30 */
  int ids[16];
  void *vals[16];
  int n = 0;
  for (uint32_t m = b->replay_regs; m; m &= m - 1) {
    const uint32_t r = (uint32_t)__builtin_ctz(m);
    ids[n] = CORE_REGS[r];
    vals[n++] = &v[r];
  }
  if (n) uc_reg_read_batch(uc, ids, vals, n); /* one call: a third of the cost of one uc_reg_read per register */
  v[16] = 0;
  s->replayed_accesses += b->replay_n;
  uint32_t last_line = 0xffffffffu;
  const ReplayOp *op = s->replay_pool + b->replay_first;
  for (uint32_t i = 0; i < b->replay_n; i++, op++) {
    const uint32_t size = op->size;
    uint32_t a = v[op->base] + (uint32_t)op->offset;
    if (op->index != REPLAY_NO_INDEX) a += (v[op->index] + (uint32_t)op->index_delta) << op->shift;
    if (!access_completes(s, a, size, op->flags)) break; /* the block faults here */
    /* a value the block loads (before any store, or from flash) and uses as an address: read it now */
    if (op->flags & REPLAY_KEEP) v[op->slot] = read_value(s, a, size, op->flags & REPLAY_SIGNED);
    if ((uint64_t)a < s->mem_lo || (uint64_t)a > s->mem_hi) continue;
    const int read = op->flags & REPLAY_READ;
    charge_access(s, read, a, size, &last_line);
    if ((a & (size - 1u)) && (a & 1023u) + size > 1024u) {
      const uint32_t lo = a & ~(size - 1u);
      charge_access(s, read, lo, size, &last_line);
      charge_access(s, read, lo + size, size, &last_line);
    }
  }
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
 * Per-instruction trace of the last PC: over the whole image when a call
 * that faulted is replayed (Unicorn 2.0.1 reports a memory fault with the PC
 * of the translated block's start), and over traced blocks (exact CYCCNT).
 */
static void trace_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
  (void)uc;
  (void)size;
  ((SimState *)user)->trace_pc = (uint32_t)address;
}

/* Hook entry points, for uc_hook_add from JavaScript. */
void *sim_block_hook_fn(void) { return (void *)&block_hook; }
void *sim_code_hook_fn(void) { return (void *)&code_hook; }
void *sim_mem_hook_fn(void) { return (void *)&mem_hook; }
void *sim_overlay_hook_fn(void) { return (void *)&overlay_hook; }
void *sim_unmapped_hook_fn(void) { return (void *)&unmapped_hook; }
void *sim_intr_hook_fn(void) { return (void *)&intr_hook; }
void *sim_trace_hook_fn(void) { return (void *)&trace_hook; }

/*
 * Counters, as doubles (exact up to 2^53): [0] cycles [1] instructions
 * [2] fetch_stalls [3] data_stalls [4] branch_penalty [5] special_cycles
 * [6] limit_hit [7] fault_kind [8] fault_address [9] fault_intno [10] nblocks
 * [11] trace_pc (last instruction seen by the trace hook) [12] UART bytes
 * [13] blocks that read CYCCNT untraced in this run [14] data accesses charged by block replay
 * [15] data accesses charged by the memory hook [16] the block the instruction limit stopped
 * before (its address)
 */
void sim_counters(SimState *s, double *out) {
  sbus_settle(s);
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
  out[11] = s->trace_pc;
  out[12] = s->uart_len;
  out[13] = s->cyccnt_pending;
  out[14] = (double)s->replayed_accesses;
  out[15] = (double)s->hooked_accesses;
  out[16] = s->limit_pc;
}

/*
 * Cycles and instructions by class of this run, into out (2 per class:
 * cycles, count; MAX_CLASSES classes), then the divides' operand-dependent
 * extra cycles. O(blocks and specials executed).
 */
void sim_class_totals(const SimState *s, double *out) {
  memset(out, 0, sizeof(double) * (2 * MAX_CLASSES + 1));
  for (uint32_t i = 0; i < s->ntouched; i++) {
    const Block *b = &s->blocks[s->touched[i]];
    const double n = (double)b->exec_count;
    const uint32_t *c = s->class_pool + b->class_first;
    for (uint32_t k = 0; k < b->nclasses; k++, c += 3) {
      out[2 * c[0]] += n * c[1];
      out[2 * c[0] + 1] += n * c[2];
    }
  }
  for (uint32_t i = 0; i < s->ntouched_specials; i++) {
    const Special *sp = &s->specials[s->touched_specials[i]];
    if (sp->kind == SPECIAL_EXTRA)
      out[2 * sp->cls] += (double)sp->cycles;
    else
      out[2 * MAX_CLASSES] += (double)sp->cycles;
  }
}

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

/* Keeps a copy of an initialised RAM range, written back before every run (sim_restore_ram). */
int sim_add_ram_segment(SimState *s, uint32_t addr, const uint8_t *bytes, uint32_t len) {
  if (!grow((void **)&s->ram, &s->cap_ram, s->nram + 1, sizeof(RamSegment))) return -1;
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy) return -1;
  memcpy(copy, bytes, len);
  s->ram[s->nram++] = (RamSegment){addr, len, copy};
  return 0;
}

/* Writes every registered RAM segment back. Returns a uc_err. */
int sim_restore_ram(SimState *s, uc_engine *uc) {
  for (uint32_t i = 0; i < s->nram; i++) {
    int err = uc_mem_write(uc, s->ram[i].addr, s->ram[i].bytes, s->ram[i].len);
    if (err) return err;
  }
  return 0;
}

/* The call fast path's shared memory, for koffi.view: registers, counters, class totals. */
uint32_t *sim_io_regs(SimState *s) { return s->io_regs; }
double *sim_io_counters(SimState *s) { return s->io_counters; }
double *sim_io_classes(SimState *s) { return s->io_classes; }

/*
 * Gives block `id` its replay program: n accesses of REPLAY_OP_WORDS words each (encoding in
 * src/emulator/timing/access-replay.ts), reading the entry registers in `regs`. Ignored while
 * replay is off. Returns 0, or -1 on allocation failure or an unknown block.
 */
int sim_set_block_replay(SimState *s, uint32_t id, const int32_t *ops, uint32_t n, uint32_t regs) {
  if (id >= s->nblocks) return -1;
  if (!s->replay_on || n == 0) return 0;
  if (!grow((void **)&s->replay_pool, &s->cap_replay_pool, s->nreplay_pool + n, sizeof(ReplayOp))) return -1;
  Block *b = &s->blocks[id];
  b->replay_first = s->nreplay_pool;
  for (uint32_t i = 0; i < n; i++, ops += REPLAY_OP_WORDS) {
    const uint32_t w = (uint32_t)ops[0];
    ReplayOp *op = &s->replay_pool[s->nreplay_pool++];
    memset(op, 0, sizeof *op);
    op->base = (uint8_t)(w & 31u);
    op->index = (uint8_t)((w >> 5) & 31u);
    op->shift = (uint8_t)((w >> 10) & 3u);
    op->size = (uint8_t)((w >> 12) & 15u);
    op->flags = (uint8_t)(((w >> 16) & 1u ? REPLAY_READ : 0u) | ((w >> 17) & 1u ? REPLAY_KEEP : 0u) | ((w >> 23) & 1u ? REPLAY_SIGNED : 0u) |
                          ((w >> 24) & 1u ? REPLAY_ALIGNED : 0u));
    op->slot = (uint8_t)((w >> 18) & 31u);
    op->offset = ops[1];
    op->index_delta = ops[2];
  }
  b->replay_regs = regs;
  b->replay_n = n;
  b->replay_active = s->replay_on == REPLAY_EVERY; /* else from the next run on, where it pays */
  return 0;
}

/*
 * Sets block replay (before any block is defined): 0 off, 1 for the blocks where it pays,
 * REPLAY_EVERY for every block with a program from its first execution (tests: the replay on
 * every microbenchmark, fast path or not). `stop`: an executable address
 * where an empty run can begin and end; [lo, hi): the code (flash) whose replayed blocks are
 * translated before each run without the memory hook.
 */
void sim_set_replay(SimState *s, int mode, uint32_t stop, uint32_t lo, uint32_t hi) {
  s->replay_on = mode == REPLAY_EVERY ? REPLAY_EVERY : mode != 0;
  s->replay_stop = stop;
  s->replay_lo = lo;
  s->replay_hi = hi;
}

/* Adds the data-memory hook over [lo, hi]; the model removes and re-adds it around translate_replayed. */
int sim_install_mem_hook(SimState *s, uc_engine *uc, uint64_t lo, uint64_t hi) {
  s->mem_lo = lo;
  s->mem_hi = hi;
  return uc_hook_add(uc, &s->mem_hook_handle, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)&mem_hook, s, lo, hi);
}

/* Whether block b is in the code translated ahead (flash: its bytes cannot change during a run). */
static inline int in_replay_range(const SimState *s, const Block *b) {
  return b->addr - s->replay_lo < s->replay_hi - s->replay_lo;
}

/*
 * Whether translating block b again before the next run (about 5 us plus 0.15 us per
 * instruction, bench/probes/unicorn-tb-lifetime.c) costs less than the slow path its accesses
 * would take (about 7 ns each) if it runs as often as in the last run: true for the loops of a
 * kernel, false for straight-line code run once per call. Decides speed only, never cycles.
 */
static inline int replay_pays(const SimState *s, const Block *b) {
  if (!b->replay_n) return 0;
  if (s->replay_on == REPLAY_EVERY) return 1;
  if (!in_replay_range(s, b)) return 0;
  return b->exec_count * b->replay_n * 7u >= 5000u + 150u * (uint64_t)b->instructions;
}

/*
 * Translates the replayed blocks again while no memory hook exists, so that their loads and
 * stores take Unicorn's fast path (their accesses are charged by replay_block), then adds the
 * hook back for every other block. Unicorn 2.0.1 decides the slow path when it translates a
 * block, for every access, as long as any memory hook exists; a block translated by
 * UC_CTL_TB_REQUEST_CACHE keeps the fast path for one run only, so this runs before every run
 * (bench/probes/unicorn-tb-lifetime.c), for the blocks of the last run where it pays. A deleted hook leaves Unicorn's list when uc_emu_start
 * returns: an empty run at replay_stop does that. A block Unicorn translates with the hook
 * anyway is only slower: the hook ignores the accesses of replayed blocks.
 */
static int translate_replayed(SimState *s, uc_engine *uc) {
  if (!s->replay_on || !s->mem_hook_handle) return 0;
  /* programs are made only for the blocks that ran often in flash (most blocks run a few times) */
  for (uint32_t i = 0; i < s->ntouched && s->replay_cb; i++) {
    Block *b = &s->blocks[s->touched[i]];
    if (b->replay_asked || b->exec_count < REPLAY_ASK_RUNS || !in_replay_range(s, b)) continue;
    b->replay_asked = 1;
    s->replay_cb(s->touched[i]);
  }
  uint32_t n = 0;
  for (uint32_t i = 0; i < s->nblocks; i++) {
    Block *b = &s->blocks[i];
    b->replay_active = (uint32_t)replay_pays(s, b);
    n += b->replay_active;
  }
  if (n == 0) return 0;
  int err = uc_hook_del(uc, s->mem_hook_handle);
  if (err) return err;
  s->mem_hook_handle = 0;
  err = uc_emu_start(uc, (uint64_t)(s->replay_stop | 1u), (uint64_t)s->replay_stop, 0, 0);
  if (err) return err;
  /* all dropped first: dropping a block drops every translation overlapping it (a loop entered
   * above its head is two blocks sharing their end), so a request must not come before a drop */
  for (uint32_t i = 0; i < s->ntouched; i++) {
    const Block *b = &s->blocks[s->touched[i]];
    if (b->replay_active && in_replay_range(s, b)) uc_ctl_remove_cache(uc, (uint64_t)b->addr, (uint64_t)(b->addr + b->size));
  }
  for (uint32_t i = 0; i < s->ntouched; i++) {
    const Block *b = &s->blocks[s->touched[i]];
    if (!b->replay_active || !in_replay_range(s, b)) continue;
    const uint32_t pc = b->addr | 1u;
    uc_reg_write(uc, UC_ARM_REG_PC, &pc);
    uc_tb tb;
    memset(&tb, 0, sizeof tb);
    uc_ctl(uc, UC_CTL_READ_WRITE(UC_CTL_TB_REQUEST_CACHE, 2), (uint64_t)b->addr, &tb);
    if (tb.pc != b->addr || tb.size != b->size) {
      /* not the block the model knows (never seen): drop it, the block stays on the hook */
      uc_ctl_remove_cache(uc, (uint64_t)b->addr, (uint64_t)(b->addr + b->size));
      s->blocks[s->touched[i]].replay_active = 0;
    }
  }
  return sim_install_mem_hook(s, uc, s->mem_lo, s->mem_hi);
}

/*
 * One emulated run in a single FFI call: RAM segments restored, r0..r14 from
 * io_regs, counters reset (caches kept when keep_caches), emulation from
 * `begin` (Thumb bit added) until `until`, then r0..r15 into io_regs, the
 * counters into io_counters and the class totals into io_classes.
 * Returns the uc_err of uc_emu_start (or of the set-up).
 */
int sim_run(SimState *s, uc_engine *uc, uint32_t begin, uint32_t until, double limit, int keep_caches) {
  int err = translate_replayed(s, uc);
  if (err) return err;
  err = sim_restore_ram(s, uc);
  if (err) return err;
  err = sim_write_core(uc, s->io_regs);
  if (err) return err;
  sim_set_limit(s, limit);
  sim_reset(s, keep_caches);
  err = uc_emu_start(uc, (uint64_t)(begin | 1u), (uint64_t)until, 0, 0);
  sim_read_core(uc, s->io_regs);
  sim_counters(s, s->io_counters);
  sim_class_totals(s, s->io_classes);
  return err;
}

/*
 * Blocks that read CYCCNT while untraced in the last run: their ids into
 * out (up to max); the queue is cleared. The caller traces them
 * (sim_trace_block) and runs again for exact values.
 */
uint32_t sim_take_cyccnt_blocks(SimState *s, uint32_t *out, uint32_t max) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < s->nblocks; i++) {
    Block *b = &s->blocks[i];
    if (!b->reads_cyccnt) continue;
    b->reads_cyccnt = 0;
    if (n < max) out[n++] = i;
  }
  s->cyccnt_pending = 0;
  return n;
}

/*
 * Traces block `id` per instruction: insns holds its instructions as
 * (offset from the block start, charged zero-wait cycles) pairs. Installs
 * the native trace hook over the block and drops its translation so the
 * hook takes effect. Returns a uc_err, or -1 on allocation failure.
 */
int sim_trace_block(SimState *s, uc_engine *uc, uint32_t id, const uint16_t *insns, uint32_t ninsns) {
  if (id >= s->nblocks) return -1;
  Block *b = &s->blocks[id];
  if (b->traced) return 0;
  if (!grow((void **)&s->insn_pool, &s->cap_insn_pool, 2 * (s->ninsn_pool + ninsns), sizeof(uint16_t))) return -1;
  b->insn_first = s->ninsn_pool;
  b->ninsns = ninsns;
  memcpy(s->insn_pool + 2 * s->ninsn_pool, insns, sizeof(uint16_t) * 2 * ninsns);
  s->ninsn_pool += ninsns;
  uc_hook hh;
  int err = uc_hook_add(uc, &hh, UC_HOOK_CODE, (void *)&trace_hook, s, (uint64_t)b->addr, (uint64_t)(b->addr + b->size - 1));
  if (err) return err;
  b->traced = 1;
  b->replay_n = b->replay_active = 0; /* a traced block's accesses go through the hook, in order with its CYCCNT reads */
  return uc_ctl_remove_cache(uc, (uint64_t)b->addr, (uint64_t)(b->addr + b->size));
}
