/*
 * sim-dse peripherals, native part: the board's peripheral regions are
 * mapped as MMIO (uc_mmio_map) and served here, so firmware that sets up
 * clocks, times code with the DWT cycle counter and prints over a UART runs
 * unmodified.
 *
 * - Listed registers (a table from TypeScript, src/emulator/stm32-peripherals.ts):
 *   a read returns (last written | read_or) & ~read_andnot, optionally with a
 *   bit field copied from another (RCC_CFGR's SWS follows SW); a write to a
 *   UART data register appends its low byte to the captured output.
 * - DWT CYCCNT: a read returns the cycle model's count at the reading
 *   instruction (exact in traced blocks, see sim_cycles_at_pc), plus the
 *   offset set by the last write. It counts from the start of the run whether
 *   or not DEMCR.TRCENA / DWT_CTRL.CYCCNTENA are set.
 * - Every other address of the regions is plain memory (a sparse word store),
 *   zero at the start of each run.
 *
 * Everything is reset at the start of each run (sim_reset): same inputs, same bytes.
 */
#include <stdlib.h>
#include <string.h>
#include "sim.h"

static PeriphReg *find_reg(SimState *s, uint32_t word) {
  uint32_t lo = 0, hi = s->nregs;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (s->regs[mid].addr < word) lo = mid + 1;
    else hi = mid;
  }
  return lo < s->nregs && s->regs[lo].addr == word ? &s->regs[lo] : NULL;
}

static uint32_t pm_hash(uint32_t word) {
  uint32_t h = word * 0x9E3779B1u;
  return h ^ (h >> 16);
}

/* Slot of `word` in the sparse store, or of the empty slot where it would go. */
static uint32_t pm_slot(const SimState *s, uint32_t word) {
  uint32_t h = pm_hash(word) & s->pm_mask;
  while (s->pm_keys[h] && s->pm_keys[h] != word) h = (h + 1) & s->pm_mask;
  return h;
}

static uint32_t pm_read(const SimState *s, uint32_t word) {
  if (!s->pm_keys) return 0;
  uint32_t h = pm_slot(s, word);
  return s->pm_keys[h] ? s->pm_vals[h] : 0;
}

static void pm_write(SimState *s, uint32_t word, uint32_t value) {
  if (!s->pm_keys || (s->pm_count + 1) * 2 > s->pm_mask + 1) {
    uint32_t cap = s->pm_keys ? (s->pm_mask + 1) * 2 : 256;
    uint32_t *keys = calloc(cap, sizeof(uint32_t));
    uint32_t *vals = calloc(cap, sizeof(uint32_t));
    if (!keys || !vals) {
      free(keys);
      free(vals);
      return; /* out of memory: the write is lost */
    }
    uint32_t *old_keys = s->pm_keys, *old_vals = s->pm_vals, old_cap = s->pm_keys ? s->pm_mask + 1 : 0;
    s->pm_keys = keys;
    s->pm_vals = vals;
    s->pm_mask = cap - 1;
    s->pm_count = 0;
    for (uint32_t i = 0; i < old_cap; i++) {
      if (!old_keys[i]) continue;
      uint32_t h = pm_slot(s, old_keys[i]);
      s->pm_keys[h] = old_keys[i];
      s->pm_vals[h] = old_vals[i];
      s->pm_count++;
    }
    free(old_keys);
    free(old_vals);
  }
  uint32_t h = pm_slot(s, word);
  if (!s->pm_keys[h]) {
    s->pm_keys[h] = word;
    s->pm_count++;
  }
  s->pm_vals[h] = value;
}

static void uart_put(SimState *s, uint8_t byte) {
  if (s->uart_len == s->uart_cap) {
    uint32_t cap = s->uart_cap ? s->uart_cap * 2 : 256;
    uint8_t *u = realloc(s->uart, cap);
    if (!u) return;
    s->uart = u;
    s->uart_cap = cap;
  }
  s->uart[s->uart_len++] = byte;
}

/* The cycle count CYCCNT derives from; an access from an untraced block queues it for tracing (the caller reruns). */
static uint32_t cyccnt_base(SimState *s) {
  if (s->prev_block >= 0) {
    Block *b = &s->blocks[s->prev_block];
    if (!b->traced && !b->reads_cyccnt) {
      b->reads_cyccnt = 1;
      s->cyccnt_pending++;
    }
  }
  return (uint32_t)sim_cycles_at_pc(s);
}

/* The 32-bit value a read of `word` returns. */
static uint32_t read_word(SimState *s, uint32_t word) {
  PeriphReg *r = find_reg(s, word);
  if (!r) return pm_read(s, word);
  if (r->kind == PERIPH_CYCCNT) return cyccnt_base(s) + s->cyccnt_offset;
  uint32_t v = r->value;
  if (r->copy_mask) {
    v &= ~(r->copy_mask << r->copy_to);
    v |= ((r->value >> r->copy_from) & r->copy_mask) << r->copy_to;
  }
  return (v | r->read_or) & ~r->read_andnot;
}

/*
 * What a read of `size` bytes at addr in a peripheral region would return, without its side
 * effects (block replay reading a pointer kept there): 1 with *value set, 0 outside the regions.
 * CYCCNT reads as the count at the start of the current block (its readers are traced, never
 * replayed).
 */
int periph_peek(const SimState *s, uint32_t addr, uint32_t size, uint32_t *value) {
  for (uint32_t i = 0; i < s->nmmio; i++) {
    if (addr - s->mmio[i].base >= s->mmio[i].size) continue;
    const uint32_t word = addr & ~3u, shift = (addr & 3u) * 8u;
    const PeriphReg *r = find_reg((SimState *)s, word);
    uint32_t v;
    if (!r) v = pm_read(s, word);
    else if (r->kind == PERIPH_CYCCNT) v = (uint32_t)s->cycles + s->cyccnt_offset;
    else {
      v = r->value;
      if (r->copy_mask) {
        v &= ~(r->copy_mask << r->copy_to);
        v |= ((r->value >> r->copy_from) & r->copy_mask) << r->copy_to;
      }
      v = (v | r->read_or) & ~r->read_andnot;
    }
    v >>= shift;
    *value = size >= 4 ? v : v & ((1u << (size * 8u)) - 1u);
    return 1;
  }
  return 0;
}

static uint64_t mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user) {
  (void)uc;
  MmioRegion *m = user;
  uint32_t addr = m->base + (uint32_t)offset;
  uint32_t shift = (addr & 3u) * 8u;
  uint32_t v = read_word(m->s, addr & ~3u) >> shift;
  return size >= 4 ? v : v & ((1u << (size * 8u)) - 1u);
}

static void mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user) {
  (void)uc;
  MmioRegion *m = user;
  SimState *s = m->s;
  uint32_t addr = m->base + (uint32_t)offset;
  uint32_t word = addr & ~3u, shift = (addr & 3u) * 8u;
  uint32_t mask = size >= 4 ? 0xffffffffu : ((1u << (size * 8u)) - 1u) << shift;
  uint32_t bits = ((uint32_t)value << shift) & mask;
  PeriphReg *r = find_reg(s, word);
  if (!r) {
    pm_write(s, word, (pm_read(s, word) & ~mask) | bits);
    return;
  }
  if (r->kind == PERIPH_CYCCNT) {
    uint32_t now = cyccnt_base(s);
    uint32_t cur = now + s->cyccnt_offset;
    s->cyccnt_offset = ((cur & ~mask) | bits) - now;
    return;
  }
  r->value = (r->value & ~mask) | bits;
  if (r->kind == PERIPH_UART_DATA && shift == 0) uart_put(s, (uint8_t)value);
}

/*
 * Maps [base, base + size) as MMIO served by the register table and the
 * sparse store. Returns a uc_err, or -1 when too many regions are mapped.
 */
int sim_mmio_map(SimState *s, uc_engine *uc, uint32_t base, uint32_t size) {
  if (s->nmmio == MAX_MMIO) return -1;
  MmioRegion *m = &s->mmio[s->nmmio];
  m->s = s;
  m->base = base;
  m->size = size;
  int err = uc_mmio_map(uc, base, size, mmio_read, m, mmio_write, m);
  if (err) return err;
  if (!sim_note_pages(s, base, size, PAGE_READ | PAGE_WRITE)) return -1;
  s->nmmio++;
  return 0;
}

/*
 * Lists a register: kind PERIPH_*, its reset value, the read masks and an
 * optional bit copy (copy_mask 0 = none). Returns 0, or -1 on allocation failure.
 */
int sim_periph_define(SimState *s, uint32_t addr, uint32_t kind, uint32_t reset, uint32_t read_or,
                      uint32_t read_andnot, uint32_t copy_from, uint32_t copy_to, uint32_t copy_mask) {
  uint32_t word = addr & ~3u;
  PeriphReg *r = find_reg(s, word);
  if (!r) {
    if (s->nregs == s->cap_regs) {
      uint32_t cap = s->cap_regs ? s->cap_regs * 2 : 32;
      PeriphReg *nr = realloc(s->regs, sizeof(PeriphReg) * cap);
      if (!nr) return -1;
      s->regs = nr;
      s->cap_regs = cap;
    }
    uint32_t i = s->nregs;
    while (i > 0 && s->regs[i - 1].addr > word) {
      s->regs[i] = s->regs[i - 1];
      i--;
    }
    r = &s->regs[i];
    s->nregs++;
  }
  *r = (PeriphReg){word, kind, reset, reset, read_or, read_andnot, copy_from, copy_to, copy_mask};
  return 0;
}

/* Captured UART output of the current run: copies up to max bytes into out; returns the length. */
uint32_t sim_uart_read(const SimState *s, uint8_t *out, uint32_t max) {
  uint32_t n = s->uart_len < max ? s->uart_len : max;
  if (n) memcpy(out, s->uart, n);
  return s->uart_len;
}

void periph_reset(SimState *s) {
  for (uint32_t i = 0; i < s->nregs; i++) s->regs[i].value = s->regs[i].reset;
  if (s->pm_count) {
    memset(s->pm_keys, 0, sizeof(uint32_t) * (s->pm_mask + 1));
    s->pm_count = 0;
  }
  s->uart_len = 0;
  s->cyccnt_offset = 0;
}

void periph_free(SimState *s) {
  free(s->regs);
  free(s->pm_keys);
  free(s->pm_vals);
  free(s->uart);
}
