/* Lazy rewriting of the program's hot `syscall` sites, so that later
 * calls there enter the monitor with a jump instead of a SIGSYS round
 * trip (three kernel entries: the trap, the call, rt_sigreturn).
 *
 * The first SIGSYS at a site rewrites it (mon_rw_trapped), in the first
 * of these forms that fits and that -w allows (docs/sud.md):
 *
 *   jump   `mov $nr,%eax; syscall` (b8 imm32 0f 05): the mov becomes a
 *          5-byte `jmp` to a stub of this site; the `syscall` after it
 *          stays.  Only where the immediate is the number that trapped
 *          and no prefix byte precedes the b8 (it then starts an
 *          instruction of its own).
 *   zpoline `syscall` becomes `call *%rax` (ff d0), into a nop sled at
 *          address 0 that ends in a jump to the monitor; only when asked
 *          for and page 0 can be mapped (root with CAP_SYS_RAWIO, or
 *          vm.mmap_min_addr=0): a mapped page 0 changes what a NULL
 *          pointer does, and the `call` writes below %rsp.
 *   cmp    `syscall; cmp $-N,%rax` (0f 05 48 3d imm32, N < 65536), the
 *          pattern of glibc's wrappers and of its syscall(): both become
 *          a `jmp` to a stub that makes the call and then the `cmp`.  The
 *          `cmp` must not be a jump target, which is true of glibc's
 *          wrappers but not provable without decoding.
 *
 * A stub, near its site (a jump reaches +-2 GiB), jumps to the monitor
 * with the way back in %rcx (which `syscall` clobbers), so the jump forms
 * leave the program's stack and red zone as they were.
 *
 * What is rewritten: only a site that just trapped (so the bytes there
 * are a real `syscall`), whose bytes are all in one private, executable,
 * non-writable mapping (/proc/self/maps).  The write goes through
 * /proc/self/mem, which breaks copy-on-write for that page.  mprotect,
 * munmap, mremap and mmap over a range with sites first put their bytes
 * back (mon_rw_release); they are rewritten again when they next trap.
 * A program that reads its own code sees the rewritten bytes.
 *
 * Other threads may run a site while it changes, so its bytes change as
 * Linux's text_poke_bp changes kernel text: int3 on the first byte, then
 * the others, then the first, with every thread of the process made to
 * serialize after each step (membarrier SYNC_CORE).  A thread that meets
 * the transient int3 gets SIGTRAP, and mon_rw_fault sends it back to the
 * site.
 *
 * A rewritten call enters arch.c's mon_rw_entry_*, which saves the
 * program's registers into a context laid out as the SIGSYS handler's,
 * and mon_rw_call hands it to the same code as a trapped call.  The calls
 * that need a real signal context (rt_sigreturn, signal masks and stacks,
 * clone, exec, exit, signals sent to oneself, the agent's hypercalls)
 * go through the bounce instead: the program's registers back, and the
 * stub's own `syscall`, outside the allowed region, which traps as the
 * site did. */
#include "core/agent.h"
#include "core/lib.h"
#include "monitor/mon.h"
#include "monitor/rewrite.h"
#include "monitor/trap.h"

#include <asm/unistd_64.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/membarrier.h>
#include <linux/mman.h>
#include <linux/signal.h>

#define SYS(nr, a, b, c, d, e, f) hl_sys6(__NR_##nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define IS_ERR(r) ((unsigned long)(r) > -4096ul)

#define SLED (4096 - 14) /* nops at 0..SLED-1, then the jump to the monitor */
#define SITES_MAX 32768
#define STUB_SIZE 48
#define STUB_RESUME 24    /* where a stub's call returns to (see stub_code) */
#define STUB_FORM 18      /* the form's number, in bytes that never run */
#define REGION_SIZE 65536
#define REGIONS_MAX 256
#define REACH (1ull << 31)
#define RECENT 256

enum { F_NONE, F_ZPOLINE, F_JUMP, F_CMP }; /* F_NONE: a site that fits no form */

/* arch.c's entry reads and writes these at fixed offsets. */
_Static_assert(__builtin_offsetof(struct mthread, alt) == 8, "arch.c: %gs:8");
_Static_assert(__builtin_offsetof(struct mthread, ss_lo) == 16, "arch.c: %gs:16");
_Static_assert(__builtin_offsetof(struct mthread, ss_hi) == 24, "arch.c: %gs:24");
_Static_assert(__builtin_offsetof(struct kucontext, mc) == 40, "arch.c: the registers at 40");
_Static_assert(__builtin_offsetof(struct kucontext, sigmask) == 296, "arch.c: the mask at 296");
_Static_assert(sizeof(struct kucontext) <= 320, "arch.c: RW_FRAME");

struct site {
	uint64_t addr; /* the first byte rewritten */
	uint64_t stub;
	uint8_t form, len;
	uint8_t orig[8], now[8];
};

static struct {
	unsigned forms;
	bool page0;
	int mem_fd;
	int lock;
	uint32_t seq, n;     /* sites: sorted by addr, under a seqlock */
	struct site *sites;
	/* The last addresses patched either way: a SIGTRAP from a patch's
	 * int3, or a zpoline call, may arrive after the patch is done and the
	 * site is gone from the table (put back by mprotect meanwhile). */
	uint64_t recent[RECENT];
	uint32_t nrecent;
	int nregions;
	struct { uint64_t base, used; } region[REGIONS_MAX];
	bool calibrating;
} rw = {.mem_fd = -1};

int mon_rw_fd(void)
{
	return rw.mem_fd;
}

/* ---- the site table ---- */

static uint32_t site_index(uint64_t addr, uint32_t n)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (rw.sites[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The site that starts at addr, read consistently while another thread
 * may be changing the table (which it does with signals blocked, so a
 * handler on its own thread never waits here). */
static bool lookup(uint64_t addr, struct site *out)
{
	for (;;) {
		uint32_t s = __atomic_load_n(&rw.seq, __ATOMIC_ACQUIRE);
		if (s & 1) {
			__builtin_ia32_pause();
			continue;
		}
		uint32_t n = __atomic_load_n(&rw.n, __ATOMIC_RELAXED), i = site_index(addr, n);
		bool hit = i < n && rw.sites[i].addr == addr;
		if (hit)
			*out = rw.sites[i];
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&rw.seq, __ATOMIC_RELAXED) == s)
			return hit;
	}
}

/* Any site with bytes in [start, end)? */
static bool any_in(uint64_t start, uint64_t end)
{
	for (;;) {
		uint32_t s = __atomic_load_n(&rw.seq, __ATOMIC_ACQUIRE);
		if (s & 1)
			continue;
		uint32_t n = __atomic_load_n(&rw.n, __ATOMIC_RELAXED), i = site_index(start > 8 ? start - 8 : 0, n);
		bool any = false;
		for (; i < n && rw.sites[i].addr < end && !any; i++)
			any = rw.sites[i].addr + rw.sites[i].len > start;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&rw.seq, __ATOMIC_RELAXED) == s)
			return any;
	}
}

static void table_begin(void)
{
	__atomic_store_n(&rw.seq, rw.seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void table_end(void)
{
	__atomic_store_n(&rw.seq, rw.seq + 1, __ATOMIC_RELEASE);
}

static bool table_add(const struct site *s)
{
	uint32_t i = site_index(s->addr, rw.n);
	if (rw.n == SITES_MAX)
		return false;
	table_begin();
	memmove(&rw.sites[i + 1], &rw.sites[i], (rw.n - i) * sizeof(*s));
	rw.sites[i] = *s;
	__atomic_store_n(&rw.n, rw.n + 1, __ATOMIC_RELAXED);
	table_end();
	return true;
}

static void table_del(uint32_t i)
{
	table_begin();
	memmove(&rw.sites[i], &rw.sites[i + 1], (rw.n - i - 1) * sizeof(rw.sites[0]));
	__atomic_store_n(&rw.n, rw.n - 1, __ATOMIC_RELAXED);
	table_end();
}

static void unfinished_patch(void);

/* The table's writers: one at a time, with every signal blocked (the
 * holder, whose thread id the lock holds, waits for nothing but the
 * kernel).  A holder that is gone (a thread of a parent that forked
 * meanwhile) is noticed: its half-done patch is undone and the lock is
 * taken over, rather than the thread spinning for ever. */
static void lock_take(uint64_t *old)
{
	uint64_t all = ~0ull;
	int me = (int)SYS(gettid, 0, 0, 0, 0, 0, 0);
	SYS(rt_sigprocmask, SIG_SETMASK, &all, old, 8, 0, 0);
	for (unsigned i = 1;; i++) {
		int free = 0, h;
		if (__atomic_compare_exchange_n(&rw.lock, &free, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		__builtin_ia32_pause();
		if (i % 4096 == 0 && (h = __atomic_load_n(&rw.lock, __ATOMIC_RELAXED)) &&
		    SYS(tgkill, mon.pid, h, 0, 0, 0, 0) == -ESRCH)
			unfinished_patch();
	}
}

static void lock_drop(const uint64_t *old)
{
	__atomic_store_n(&rw.lock, 0, __ATOMIC_RELEASE);
	SYS(rt_sigprocmask, SIG_SETMASK, old, 0, 8, 0, 0);
}

/* ---- patching ---- */

/* Every other thread serializes, so that none goes on with bytes it
 * fetched before the last write (Intel SDM vol. 3, 8.1.3).  Registration
 * is per address space: again after a fork. */
static void sync_cores(void)
{
	if (SYS(membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0, 0, 0, 0) == -EPERM &&
	    !SYS(membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0, 0, 0, 0))
		SYS(membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0, 0, 0, 0);
}

static bool poke(uint64_t addr, const uint8_t *b, uint64_t n)
{
	return SYS(pwrite64, rw.mem_fd, b, n, addr, 0, 0) == (long)n;
}

/* from -> to over len bytes at addr, through a transient int3. */
static bool patch(uint64_t addr, const uint8_t *from, const uint8_t *to, int len)
{
	uint8_t cur[8], cc = 0xcc;
	if (mon_read(cur, addr, (uint64_t)len) != len || memcmp(cur, from, (size_t)len))
		return false;
	rw.recent[rw.nrecent++ % RECENT] = addr;
	if (!poke(addr, &cc, 1))
		return false;
	sync_cores();
	if (len > 1 && !poke(addr + 1, to + 1, (uint64_t)len - 1)) {
		poke(addr, from, 1);
		sync_cores();
		return false;
	}
	sync_cores();
	poke(addr, to, 1);
	sync_cores();
	return true;
}

/* ---- where a site may be rewritten ---- */

struct mscan {
	int state;   /* 0 start, 1 end, 2 perms, 3 rest of the line */
	uint64_t start, end;
	char perms[4];
	int np;
};

/* One character of /proc/self/maps; true at the end of a line. */
static bool scan_char(struct mscan *m, char c)
{
	int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
	if (c == '\n') {
		m->state = 0;
		return true;
	}
	if (m->state == 0 && v >= 0)
		m->start = m->start * 16 + (uint64_t)v;
	else if (m->state == 0 && c == '-')
		m->state = 1, m->end = 0;
	else if (m->state == 1 && v >= 0)
		m->end = m->end * 16 + (uint64_t)v;
	else if (m->state == 1)
		m->state = 2, m->np = 0;
	else if (m->state == 2 && m->np < 4)
		m->perms[m->np++] = c;
	else if (m->state == 2)
		m->state = 3;
	return false;
}

/* [addr, addr + len) lies in one private mapping that is executable and
 * not writable. */
static bool mapping_ok(uint64_t addr, uint64_t len)
{
	long fd = SYS(openat, -100, "/proc/self/maps", O_RDONLY | O_CLOEXEC, 0, 0, 0);
	if (fd < 0)
		return false;
	char buf[2048];
	struct mscan m = {0};
	int found = -1;
	long n;
	while (found < 0 && (n = SYS(read, fd, buf, sizeof(buf), 0, 0, 0)) > 0) {
		for (long i = 0; i < n && found < 0; i++) {
			if (!scan_char(&m, buf[i]))
				continue;
			if (m.start <= addr && addr < m.end)
				found = addr + len <= m.end && m.perms[1] == '-' && m.perms[2] == 'x' && m.perms[3] == 'p';
			m.start = 0;
		}
	}
	SYS(close, fd, 0, 0, 0, 0, 0);
	return found == 1;
}

/* ---- stubs ---- */

static bool region_new(uint64_t near)
{
	if (rw.nregions == REGIONS_MAX)
		return false;
	uint64_t at = near & ~(REGION_SIZE - 1);
	for (uint64_t d = 1ull << 20; d < REACH / 2; d += 1ull << 20) {
		for (int up = 0; up < 2; up++) {
			uint64_t cand = up ? at + d : at - d;
			if ((!up && at < d) || cand < 1ull << 20 || cand >= 1ull << 47)
				continue;
			long m = SYS(mmap, cand, REGION_SIZE, PROT_READ | PROT_EXEC,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			if (IS_ERR(m))
				continue;
			if ((uint64_t)m != cand) { /* an old kernel took it as a hint */
				SYS(munmap, m, REGION_SIZE, 0, 0, 0, 0);
				continue;
			}
			uint64_t entry = (uint64_t)mon_rw_entry_j;
			if (!poke(cand, (const uint8_t *)&entry, 8)) {
				SYS(munmap, m, REGION_SIZE, 0, 0, 0, 0);
				return false;
			}
			rw.region[rw.nregions].base = cand;
			rw.region[rw.nregions++].used = 16;
			return true;
		}
	}
	return false;
}

/* Room for a stub within a jump of site: its address, or 0. */
static uint64_t stub_alloc(uint64_t site)
{
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < rw.nregions; i++) {
			uint64_t b = rw.region[i].base, d = b > site ? b - site : site - b;
			if (d < REACH - 2 * REGION_SIZE && rw.region[i].used + STUB_SIZE <= REGION_SIZE) {
				rw.region[i].used += STUB_SIZE;
				return b + rw.region[i].used - STUB_SIZE;
			}
		}
		if (pass || !region_new(site))
			return 0;
	}
	return 0;
}

static uint64_t region_of(uint64_t stub)
{
	for (int i = 0; i < rw.nregions; i++)
		if (stub - rw.region[i].base < REGION_SIZE)
			return rw.region[i].base;
	return 0;
}

static void put32(uint8_t *p, int64_t v)
{
	int32_t x = (int32_t)v;
	memcpy(p, &x, 4);
}

/* The stub of a jump-form site (see the top): the site's `mov` (a nop
 * for the cmp form), %rcx = where the program resumes (STUB_RESUME), and a
 * jump to the monitor: a jump, not a call, so the stub needs no stack and
 * the CPU's return predictions stay paired.  The two bytes before
 * STUB_RESUME are a `syscall` that traps as the site's did: where a call
 * that needs the signal context goes (the bounce), and where a restarted
 * call goes. */
static void stub_code(uint8_t *c, uint64_t stub, const struct site *s, uint32_t nr)
{
	memset(c, 0xcc, STUB_SIZE);
	if (s->form == F_JUMP)
		c[0] = 0xb8, put32(c + 1, nr); /* mov $nr,%eax */
	else
		memcpy(c, "\x0f\x1f\x44\x00\x00", 5); /* nopl */
	c[5] = 0x48, c[6] = 0x8d, c[7] = 0x0d; /* lea STUB_RESUME(%rip),%rcx */
	put32(c + 8, STUB_RESUME - 12);
	c[12] = 0xff, c[13] = 0x25; /* jmp *slot(%rip) */
	put32(c + 14, (int64_t)region_of(stub) - (int64_t)(stub + 18));
	c[STUB_FORM] = s->form;
	c[22] = 0x0f, c[23] = 0x05;
	uint8_t *t = c + STUB_RESUME;
	if (s->form == F_CMP)
		memcpy(t, s->orig + 2, 6), t += 6; /* the site's cmp */
	t[0] = 0xe9;
	put32(t + 1, (int64_t)(s->addr + s->len) - (int64_t)(stub + (uint64_t)(t + 5 - c)));
}

/* A zpoline site's bounce: its `syscall` at the stubs' place, then an
 * absolute jump back after the site (a bounce stub needs no nearness). */
static void bounce_code(uint8_t *c, const struct site *s)
{
	uint64_t back = s->addr + 2;
	memset(c, 0xcc, STUB_SIZE);
	c[STUB_FORM] = F_ZPOLINE;
	c[22] = 0x0f, c[23] = 0x05;
	memcpy(c + STUB_RESUME, "\xff\x25\x00\x00\x00\x00", 6); /* jmp *0(%rip) */
	memcpy(c + STUB_RESUME + 6, &back, 8);
}

/* ---- choosing a form ---- */

static bool is_prefix(uint8_t b)
{
	return (b >= 0x40 && b <= 0x4f) || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
	       b == 0x65 || b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3;
}

/* The form for the `syscall` at p (which trapped with number nr), its
 * first byte and length in *s; false when none fits. */
static bool choose(uint64_t p, uint64_t nr, struct site *s)
{
	uint8_t b[14]; /* p-6 .. p+8 */
	bool before = p >= 6 && mon_read(b, p - 6, 8) == 8;
	bool after = mon_read(b + 6, p, 8) == 8;
	if (!before && mon_read(b + 6, p, 2) != 2)
		return false;
	uint32_t imm;
	memcpy(&imm, b + 2, 4);
	if ((rw.forms & RW_JUMP) && before && b[1] == 0xb8 && imm == nr && !is_prefix(b[0]) &&
	    mapping_ok(p - 5, 7)) {
		*s = (struct site){.addr = p - 5, .form = F_JUMP, .len = 7};
	} else if (rw.page0 && mapping_ok(p, 2)) {
		*s = (struct site){.addr = p, .form = F_ZPOLINE, .len = 2};
	} else if ((rw.forms & RW_JUMP) && after && b[8] == 0x48 && b[9] == 0x3d && b[12] == 0xff && b[13] == 0xff &&
		   mapping_ok(p, 8)) {
		*s = (struct site){.addr = p, .form = F_CMP, .len = 8};
	} else {
		return false;
	}
	return mon_read(s->orig, s->addr, s->len) == s->len;
}

/* The new bytes of s, with its stub written first. */
static bool prepare(struct site *s, uint32_t nr)
{
	uint8_t code[STUB_SIZE];
	s->stub = stub_alloc(s->addr);
	if (!s->stub)
		return false;
	if (s->form == F_ZPOLINE)
		bounce_code(code, s);
	else
		stub_code(code, s->stub, s, nr);
	if (!poke(s->stub, code, STUB_SIZE))
		return false;
	if (s->form == F_ZPOLINE) {
		s->now[0] = 0xff, s->now[1] = 0xd0;
		return true;
	}
	memcpy(s->now, s->orig, 8);
	s->now[0] = 0xe9;
	put32(s->now + 1, (int64_t)s->stub - (int64_t)(s->addr + 5));
	if (s->form == F_CMP)
		s->now[5] = s->now[6] = s->now[7] = 0xcc;
	return true;
}

/* The site of the `syscall` at p, if the table has one: true when it
 * is still rewritten (a jump form's `syscall` after its jump traps when
 * code jumps to it directly); a site whose bytes went back to what they
 * were (madvise let the file's page come back) leaves the table and is
 * rewritten anew. */
static bool still_rewritten(uint64_t p, struct site *out)
{
	uint64_t at[2] = {p - 5, p};
	for (int k = 0; k < 2; k++) {
		uint32_t i = site_index(at[k], rw.n);
		struct site *s = &rw.sites[i];
		uint8_t cur[8];
		if (i >= rw.n || s->addr != at[k] || (s->form == F_JUMP) != (k == 0))
			continue;
		if (mon_read(cur, s->addr, s->len) == s->len && !memcmp(cur, s->now, s->len)) {
			*out = *s;
			return true;
		}
		table_del(i);
	}
	return false;
}

/* What must go through a real SIGSYS: its handler's context is part of
 * the call (see the top), or the monitor's floating-point code runs. */
static bool needs_signal_context(long nr)
{
	switch (nr) {
	case __NR_rt_sigreturn: case __NR_rt_sigprocmask: case __NR_sigaltstack:
	case __NR_clone: case __NR_clone3: case __NR_fork: case __NR_vfork:
	case __NR_execve: case __NR_execveat: case __NR_exit: case __NR_exit_group:
	case __NR_kill: case __NR_tkill: case __NR_tgkill: case __NR_rt_sigqueueinfo: case __NR_rt_tgsigqueueinfo:
		return true;
	default:
		return nr < 0 || nr >= CORE_NCALLS;
	}
}

/* The cmp form rewrites the bytes where the trapped call returns: a
 * thread that trapped there before the rewrite returns into its stub,
 * which makes the `cmp` and jumps back (decided under the lock, so that
 * no thread returns into bytes that are changing). */
static void return_past(struct kucontext *uc, const struct site *s)
{
	if (s->form == F_CMP && uc->mc.rip == s->addr + 2)
		uc->mc.rip = s->stub + STUB_RESUME;
}

void mon_rw_trapped(struct kucontext *uc)
{
	uint64_t p = uc->mc.rip - 2, nr = uc->mc.rax, old;
	struct site s;
	if (!rw.forms || (lookup(p, &s) && (s.form == F_NONE || s.form == F_CMP))) {
		if (rw.forms)
			return_past(uc, &s);
		return;
	}
	if (mon_self()->guest)
		return;
	/* A site that makes such a call gains nothing, and may run on a stack
	 * that is gone (musl's detached threads exit after unmapping theirs):
	 * it stays on SIGSYS, whose frame goes to the signal stack. */
	if (needs_signal_context((long)nr))
		return;
	lock_take(&old);
	if (!still_rewritten(p, &s) && nr < CORE_NCALLS && rw.n < SITES_MAX) {
		bool ok = choose(p, nr, &s) && prepare(&s, (uint32_t)nr) && table_add(&s);
		if (ok && !patch(s.addr, s.orig, s.now, s.len))
			table_del(site_index(s.addr, rw.n)), ok = false;
		if (!ok) /* remembered, so that its next traps cost nothing more */
			table_add(&(struct site){.addr = p, .form = F_NONE, .len = 2});
		else if (mon.stats)
			stats_add(&mon.stats->rewritten_sites, 1);
	}
	if (lookup(p, &s))
		return_past(uc, &s);
	lock_drop(&old);
}

void mon_rw_release(uint64_t start, uint64_t end)
{
	uint64_t old;
	if (!rw.n || !any_in(start, end))
		return;
	lock_take(&old);
	uint32_t i = site_index(start > 8 ? start - 8 : 0, rw.n);
	while (i < rw.n && rw.sites[i].addr < end) {
		struct site *s = &rw.sites[i];
		if (s->addr + s->len <= start) {
			i++;
			continue;
		}
		if (s->form != F_NONE)
			patch(s->addr, s->now, s->orig, s->len);
		table_del(i);
	}
	lock_drop(&old);
}

bool mon_rw_owns(uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	if (rw.page0 && start < 4096)
		return true;
	for (int i = 0; i < rw.nregions; i++)
		if (start < rw.region[i].base + REGION_SIZE && rw.region[i].base < end)
			return true;
	return false;
}

/* ---- the calls that arrive ---- */

bool mon_rw_bounced(struct kucontext *uc)
{
	uint64_t stub = uc->mc.rip - STUB_RESUME;
	if (!rw.nregions || !region_of(stub))
		return false;
	/* A zpoline site's call returns after the site, as trapped there. */
	if (*(const uint8_t *)(stub + STUB_FORM) == F_ZPOLINE)
		memcpy(&uc->mc.rip, (const void *)(stub + STUB_RESUME + 6), 8);
	return true;
}

static bool was_patched(uint64_t a)
{
	for (unsigned i = 0; i < RECENT; i++)
		if (__atomic_load_n(&rw.recent[i], __ATOMIC_RELAXED) == a)
			return true;
	return false;
}

/* A zpoline site's call: the site is live (its bounce stub in *stub), or
 * was until a moment ago (*stub 0: the call was under way when mprotect
 * put the site's bytes back). */
static bool zpoline_site(uint64_t a, uint64_t *stub)
{
	struct site s;
	bool live = lookup(a, &s) && s.form == F_ZPOLINE;
	*stub = live ? s.stub : 0;
	return live || was_patched(a);
}

/* Something jumped into the sled that is not a zpoline site (a call
 * through a null function pointer): the SIGSEGV it gets natively, at the
 * address it jumped to, with the return address it pushed. */
static void sled_fault(struct kucontext *uc)
{
	uint64_t addr = uc->mc.rax < 4096 ? uc->mc.rax : 0, ret = uc->mc.rip;
	uc->mc.rsp -= 8;
	mon_write(uc->mc.rsp, &ret, 8);
	uc->mc.rip = addr;
	mon_force_signal(uc, SIGSEGV, 1 /* SEGV_MAPERR */, addr);
}

void mon_rw_call(struct kucontext *uc, int form)
{
	long nr = (long)uc->mc.rax;
	uint64_t stub = uc->mc.rip - STUB_RESUME;
	if (form == F_ZPOLINE && !zpoline_site(uc->mc.rip - 2, &stub)) {
		sled_fault(uc);
		return;
	}
	if (rw.calibrating) {
		uc->mc.rax = 0;
		return;
	}
	if (needs_signal_context(nr)) { /* the bounce */
		/* A site put back meanwhile: its `syscall` again, which traps. */
		uc->mc.rip = stub ? stub + STUB_RESUME - 2 : uc->mc.rip - 2;
		return;
	}
	if (mon.stats)
		stats_add(&mon.stats->syscall_exits, 1);
	mon_dispatch(uc);
}

/* The transient int3 of a patch: the thread goes back to the site (and
 * meets the int3 again until the patch is done). */
static bool patch_trap(struct kucontext *uc)
{
	uint64_t a = uc->mc.rip - 1;
	if (!was_patched(a))
		return false;
	uc->mc.rip = a;
	return true;
}

/* A zpoline site called with a number past the sled faults at that
 * number: it is a call all the same (an agent's hypercall, a number Linux
 * does not have), made as a trapped one. */
static bool sled_miss(struct ksiginfo *si, struct kucontext *uc)
{
	uint64_t ret, stub;
	if (!rw.page0 || si->call_addr != uc->mc.rip || uc->mc.rip != uc->mc.rax ||
	    mon_read(&ret, uc->mc.rsp, 8) != 8 || !zpoline_site(ret - 2, &stub))
		return false;
	uc->mc.rip = ret;
	uc->mc.rsp += 8;
	mon_dispatch(uc);
	return true;
}

bool mon_rw_fault(int sig, struct ksiginfo *si, struct kucontext *uc)
{
	if (!rw.forms || si->code <= 0)
		return false;
	if (sig == SIGTRAP)
		return patch_trap(uc);
	return sig == SIGSEGV && sled_miss(si, uc);
}

/* ---- start ---- */

/* The nop sled at 0..SLED-1 and `jmp *mon_rw_entry_z` after it. */
static bool sled_map(void)
{
	long m = SYS(mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (m != 0)
		return false;
	uint8_t *p = 0;
	__asm__("" : "+r"(p)); /* address 0 is memory here */
	memset(p, 0x90, SLED);
	uint64_t entry = (uint64_t)mon_rw_entry_z;
	memcpy(p + SLED, "\xff\x25\x00\x00\x00\x00", 6); /* jmp *0(%rip) */
	memcpy(p + SLED + 6, &entry, 8);
	return SYS(mprotect, 0, 4096, PROT_READ | PROT_EXEC, 0, 0, 0) == 0;
}

/* /proc/self/mem, beside the launcher's fds (cli/sud.c hide_fd): past
 * them, where the program's own fds do not go. */
static int mem_open(void)
{
	long fd = SYS(openat, -100, "/proc/self/mem", O_RDWR | O_CLOEXEC, 0, 0, 0);
	struct { uint64_t cur, max; } lim, raised;
	int own[MON_NFDS];
	long base = -1;
	mon_own_fds(own); /* the launcher's; this one is not open yet */
	for (int i = 0; i < MON_NFDS; i++)
		base = own[i] >= base ? own[i] + 1 : base;
	if (fd < 0 || base < 0 || SYS(prlimit64, 0, 7 /* RLIMIT_NOFILE */, 0, &lim, 0, 0))
		return (int)fd;
	raised = lim;
	if ((uint64_t)base >= lim.cur)
		raised.cur = (uint64_t)base + 1;
	if (raised.cur > raised.max || (raised.cur != lim.cur && SYS(prlimit64, 0, 7, &raised, 0, 0, 0)))
		return (int)fd;
	long moved = SYS(fcntl, fd, F_DUPFD_CLOEXEC, base, 0, 0, 0);
	if (raised.cur != lim.cur)
		SYS(prlimit64, 0, 7, &lim, 0, 0, 0);
	SYS(close, fd, 0, 0, 0, 0, 0);
	return (int)moved;
}

void mon_rw_init(unsigned forms)
{
	if (!forms)
		return;
	long t = SYS(mmap, 0, SITES_MAX * sizeof(struct site), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	rw.mem_fd = mem_open();
	if (IS_ERR(t) || rw.mem_fd < 0)
		return; /* no rewriting: only slower */
	rw.sites = (struct site *)t;
	rw.page0 = (forms & RW_ZPOLINE) && sled_map();
	rw.forms = forms;
	sync_cores(); /* registers the process for membarrier */
}

/* The lock's holder is gone: another thread of the parent when it forked,
 * or one killed while patching.  The lock is left taken and maybe an int3
 * on a site, with nobody to finish: the site gets its original bytes back
 * and leaves the table, and the lock is free again. */
static void unfinished_patch(void)
{
	uint64_t a = rw.recent[(rw.nrecent + RECENT - 1) % RECENT];
	uint32_t i = rw.n ? site_index(a, rw.n) : 0;
	if (rw.seq & 1)
		rw.seq++;
	uint8_t b = 0;
	if (i < rw.n && rw.sites[i].addr == a && mon_read(&b, a, 1) == 1 && b == 0xcc) {
		poke(a + 1, rw.sites[i].orig + 1, rw.sites[i].len - 1u);
		sync_cores();
		poke(a, rw.sites[i].orig, 1);
		sync_cores();
		table_del(i);
	}
	__atomic_store_n(&rw.lock, 0, __ATOMIC_RELEASE);
}

void mon_rw_after_fork(void)
{
	if (rw.mem_fd < 0)
		return;
	SYS(close, rw.mem_fd, 0, 0, 0, 0, 0);
	rw.mem_fd = -1;
	rw.mem_fd = mem_open();
	if (rw.lock)
		unfinished_patch();
}

void mon_rw_calibrate(bool on)
{
	rw.calibrating = on;
}
