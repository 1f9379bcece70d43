/*
 * Probe of Unicorn 2.0.1 (Debian libunicorn2): how long a translated block keeps the fast memory
 * path once a memory hook exists. Run by bench/unicorn-fast-path.bench.mjs, which compiles it.
 *
 * A Thumb loop `ldr.w r2, [r0], #4; subs r1, #1; bne` runs 1,000 times per run, four runs per
 * scenario, each scenario on a fresh engine with a block hook and a UC_HOOK_MEM_READ hook. A load
 * translated while a memory hook exists goes through Unicorn's slow path and calls the hook every
 * time (1,000 calls a run); one translated before keeps the fast path and calls it only on TLB
 * fills (a handful). Prints one line per scenario: the hook calls of each run.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unicorn/unicorn.h>

#define CODE 0x08000000u
#define DATA 0x20000000u

static uint64_t calls;
static void mem_hook(uc_engine *uc, uc_mem_type t, uint64_t a, int s, int64_t v, void *u) {
  (void)uc, (void)t, (void)a, (void)s, (void)v, (void)u;
  calls++;
}
static void block_hook(uc_engine *uc, uint64_t a, uint32_t s, void *u) { (void)uc, (void)a, (void)s, (void)u; }

static uc_engine *open_engine(void) {
  uc_engine *uc;
  if (uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &uc)) return NULL;
  uc_mem_map(uc, CODE, 0x10000, UC_PROT_ALL);
  uc_mem_map(uc, DATA, 0x10000, UC_PROT_ALL);
  /* loop: ldr.w r2, [r0], #4; subs r1, #1; bne loop; then nops (0x0800000c is an empty stop point) */
  const uint16_t code[] = {0xf850, 0x2b04, 0x3901, 0xd1fb, 0xbf00, 0xbf00, 0xbf00, 0xbf00};
  uc_mem_write(uc, CODE, code, sizeof code);
  uc_hook h;
  uc_hook_add(uc, &h, UC_HOOK_BLOCK, (void *)block_hook, NULL, 1, 0);
  return uc;
}

/* One run of `n` iterations; returns the memory hook's calls. */
static uint64_t run(uc_engine *uc, uint32_t n) {
  uint32_t r0 = DATA, r1 = n;
  uc_reg_write(uc, UC_ARM_REG_R0, &r0);
  uc_reg_write(uc, UC_ARM_REG_R1, &r1);
  calls = 0;
  uc_emu_start(uc, CODE | 1u, CODE + 8, 0, 0);
  return calls;
}

/* Translates the loop's block now (UC_CTL_TB_REQUEST_CACHE; the PC's Thumb bit selects the decoder). */
static void request(uc_engine *uc) {
  uint32_t pc = CODE | 1u;
  uc_reg_write(uc, UC_ARM_REG_PC, &pc);
  uc_tb tb;
  uc_ctl(uc, UC_CTL_READ_WRITE(UC_CTL_TB_REQUEST_CACHE, 2), (uint64_t)CODE, &tb);
}

static uc_hook add_mem_hook(uc_engine *uc, uint64_t lo, uint64_t hi) {
  uc_hook h;
  uc_hook_add(uc, &h, UC_HOOK_MEM_READ, (void *)mem_hook, NULL, lo, hi);
  return h;
}

/*
 * Deletes the memory hook, lets an empty run drop it (Unicorn 2.0.1 removes deleted hooks when
 * uc_emu_start returns), drops the loop's translation, translates it again and adds the hook back.
 */
static uc_hook retranslate_without_hook(uc_engine *uc, uc_hook h) {
  uc_hook_del(uc, h);
  uc_emu_start(uc, (CODE + 12) | 1u, CODE + 12, 0, 0);
  uc_ctl_remove_cache(uc, CODE, CODE + 8);
  request(uc);
  return add_mem_hook(uc, 1, 0);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void) {
  const char *names[] = {
      "hook added first (the model's set-up)",
      "block requested, then hook added",
      "block translated by a run, then hook added",
      "block requested, then hook over data only",
      "hook removed and block requested before every run",
  };
  for (int sc = 0; sc < 5; sc++) {
    uc_engine *uc = open_engine();
    if (!uc) return 1;
    uc_hook h = 0;
    if (sc == 0 || sc == 4) h = add_mem_hook(uc, 1, 0);
    if (sc == 1 || sc == 3) request(uc);
    if (sc == 2) run(uc, 1);
    if (sc == 1 || sc == 2) h = add_mem_hook(uc, 1, 0);
    if (sc == 3) h = add_mem_hook(uc, DATA, DATA + 0xffff);
    printf("%s:", names[sc]);
    for (int r = 0; r < 4; r++) {
      if (sc == 4) h = retranslate_without_hook(uc, h);
      printf(" %llu", (unsigned long long)run(uc, 1000));
    }
    printf("\n");
    uc_close(uc);
  }
  /* what that per-run re-translation costs, per block */
  uc_engine *uc = open_engine();
  uc_hook h = add_mem_hook(uc, 1, 0);
  const int n = 2000;
  double t0 = now();
  for (int i = 0; i < n; i++) h = retranslate_without_hook(uc, h);
  double dance = (now() - t0) / n;
  t0 = now();
  for (int i = 0; i < n; i++) {
    uc_ctl_remove_cache(uc, CODE, CODE + 8);
    request(uc);
  }
  double req = (now() - t0) / n;
  printf("cost: %.2f us per hook removal + re-translation + hook addition; %.2f us per block dropped and re-requested\n", dance * 1e6, req * 1e6);
  uc_close(uc);
  return 0;
}
