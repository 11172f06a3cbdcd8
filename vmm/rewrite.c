/* Lazy syscall-site rewriting.
 *
 * A `syscall` goes through the LSTAR trampoline; after the first trap at a
 * site, its two bytes `0f 05` become `e6 e0` (`out %al, $HL_PORT_SYSCALL`),
 * which the TSS I/O bitmap lets CPL3 execute, so later calls exit straight
 * from user mode with no privilege change (docs/architecture.md: the exit floor
 * instead of the trampoline round trip).  The guest sees the same result:
 * %rax holds the return value, execution resumes after the instruction, a
 * restarted call re-executes it; only %rcx/%r11 keep their values, which the
 * syscall ABI allows.
 *
 * What is rewritten: only a site that just trapped (so the bytes are a real
 * instruction boundary), only in an executable, non-writable, private guest
 * mapping (a shared one would write through to the file; a writable one is
 * code the guest may be writing), and only when the bytes still read
 * `0f 05`.  The vDSO is outside the guest's mappings: never rewritten.  The
 * write goes through /proc/self/mem, which breaks copy-on-write: the page
 * becomes private to this process (and to its forks, which inherit it).
 *
 * Every rewritten site is in p->sites, and only an `out` exit from a site
 * is a system call: an `out` the guest wrote or jumped into gets the #GP it
 * would get natively.  A site put back while a vCPU was in the guest still
 * counts for that vCPU: it may have run the `out` just before.  Before a mapping holding sites becomes
 * writable or stops being executable (mprotect), the original bytes are put
 * back, so a guest that writes its code never reads or overwrites the
 * rewrite; they are rewritten again lazily once the code runs.  Unmapping or
 * mapping over a range drops its sites; mremap moves them.  A guest that
 * reads its own code (not writes) does see `e6 e0`: x86 pages cannot be
 * execute-only without EPT or protection keys.
 *
 * Other vCPUs may be executing a site while it changes, so the two bytes
 * never change in one non-atomic write: the first byte becomes int3, then
 * the second byte changes, then the first, with every vCPU thread made to
 * serialize after each step (as Linux's text_poke_bp does with IPIs; here
 * membarrier's SYNC_CORE).  A vCPU that meets the transient int3 traps, and
 * rewrite_patch_race() sends it back to the site once the write lock is
 * released.  So does a #UD or #GP there: a hypervisor that emulates the
 * `out` (kvm-pvm) decodes it again from memory, where it may have changed
 * since the CPU ran it. */
#include "vmm/rewrite.h"
#include "vmm/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int mem_fd = -1;

int rewrite_init(void)
{
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	mem_fd = vm_hide_fd(fd);
	return 0;
}

/* A forked child's mem_fd still writes into its parent (the file is bound
 * to the address space that opened it). */
void rewrite_after_fork(void)
{
	if (mem_fd < 0)
		return;
	vm_unhide_fd(mem_fd);
	mem_fd = -1;
	if (rewrite_init())
		mem_fd = -1; /* no more rewriting in this process: only slower */
}

static int range_find(const struct proc *p, uint64_t a, uint64_t b)
{
	for (int i = 0; i < p->nshared; i++)
		if (p->shared[i].start < b && a < p->shared[i].end)
			return i;
	return -1;
}

bool rewrite_is_shared(const struct proc *p, uint64_t start, uint64_t end)
{
	return range_find(p, start, end) >= 0;
}

void rewrite_note_shared(struct proc *p, uint64_t start, uint64_t end)
{
	if (p->nshared == p->shared_cap) {
		int cap = p->shared_cap ? p->shared_cap * 2 : 16;
		void *n = realloc(p->shared, (size_t)cap * sizeof(*p->shared));
		if (!n)
			return;
		p->shared = n;
		p->shared_cap = cap;
	}
	p->shared[p->nshared].start = start;
	p->shared[p->nshared].end = end;
	p->nshared++;
}

/* Forget [start, end) in the shared set, keeping the parts around it. */
void rewrite_forget_shared(struct proc *p, uint64_t start, uint64_t end)
{
	int i;
	while ((i = range_find(p, start, end)) >= 0) {
		uint64_t s = p->shared[i].start, e = p->shared[i].end;
		p->shared[i] = p->shared[--p->nshared];
		if (s < start)
			rewrite_note_shared(p, s, start);
		if (e > end)
			rewrite_note_shared(p, end, e);
	}
}

/* ---- the site table: sorted by address ---- */

static int site_index(const struct proc *p, uint64_t addr)
{
	int lo = 0, hi = p->nsites;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (p->sites[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct rw_site *site_find(const struct proc *p, uint64_t addr)
{
	int i = site_index(p, addr);
	return i < p->nsites && p->sites[i].addr == addr ? &p->sites[i] : NULL;
}

static struct rw_site *site_add(struct proc *p, uint64_t addr)
{
	struct rw_site *s = site_find(p, addr);
	if (s)
		return s;
	if (p->nsites == p->sites_cap) {
		int cap = p->sites_cap ? p->sites_cap * 2 : 64;
		void *n = realloc(p->sites, (size_t)cap * sizeof(*p->sites));
		if (!n)
			return NULL;
		p->sites = n;
		p->sites_cap = cap;
	}
	int i = site_index(p, addr);
	memmove(&p->sites[i + 1], &p->sites[i], (size_t)(p->nsites - i) * sizeof(*p->sites));
	p->nsites++;
	p->sites[i] = (struct rw_site){.addr = addr};
	return &p->sites[i];
}

bool rewrite_is_site(const struct proc *p, uint64_t addr, uint64_t since)
{
	const struct rw_site *s = site_find(p, addr);
	return s && (s->live || s->restored > since);
}

/* ---- patching ---- */

/* Every other vCPU thread runs a serializing instruction, so that none
 * goes on with bytes it fetched before the last poke (cross-modifying code,
 * Intel SDM vol. 3 8.1.3).  Registration is per address space: again after
 * a fork. */
static void sync_cores(void)
{
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) == 0)
		return;
	if (errno == EPERM &&
	    !syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0))
		syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0);
}

static int poke(uint64_t addr, uint8_t byte)
{
	if (pwrite(mem_fd, &byte, 1, (off_t)addr) != 1)
		return -EIO;
	sync_cores();
	return 0;
}

/* from -> to, two bytes at addr, through a transient int3 (see the top). */
static int patch(uint64_t addr, const uint8_t from[2], const uint8_t to[2])
{
	uint8_t cur[2];
	if (gm_read_guest(cur, addr, 2) != 2 || memcmp(cur, from, 2))
		return -EAGAIN;
	if (poke(addr, 0xcc) || poke(addr + 1, to[1]) || poke(addr, to[0])) {
		/* /proc/self/mem failed half-way: put back what was there. */
		poke(addr + 1, from[1]);
		poke(addr, from[0]);
		return -EIO;
	}
	return 0;
}

static const uint8_t insn_syscall[2] = {0x0f, 0x05};
static const uint8_t insn_out[2] = {0xe6, HL_PORT_SYSCALL};

bool rewrite_site(struct proc *p, uint64_t site)
{
	const struct gm_vma *v = gm_find(&p->vm.mem, site);
	if (mem_fd < 0 || !v || (v->prot & (PROT_EXEC | PROT_WRITE)) != PROT_EXEC ||
	    site + 2 > v->end || range_find(p, site, site + 2) >= 0)
		return false;
	uint8_t cur[2];
	if (gm_read_guest(cur, site, 2) != 2 || memcmp(cur, insn_syscall, 2))
		return false;
	struct rw_site *s = site_add(p, site);
	if (!s || s->live || patch(site, insn_syscall, insn_out))
		return false;
	s->live = true;
	s->restored = 0;
	stats_add(&p->stats->rewritten_sites, 1);
	return true;
}

bool rewrite_patch_race(const struct proc *p, uint64_t addr)
{
	uint8_t b[2] = {0xcc, 0};
	return site_find(p, addr) && gm_read_guest(b, addr, 2) == 2 &&
	       (!memcmp(b, insn_syscall, 2) || !memcmp(b, insn_out, 2));
}

/* The site's `syscall` back; false when its bytes are not our `out` any
 * more (the guest wrote through /proc/self/mem or ptrace): they stay. */
static bool restore_site(struct proc *p, struct rw_site *s)
{
	bool ok = patch(s->addr, insn_out, insn_syscall) == 0;
	s->live = false;
	s->restored = __atomic_add_fetch(&p->rw_gen, 1, __ATOMIC_RELEASE);
	return ok;
}

void rewrite_protect(struct proc *p, uint64_t start, uint64_t end, int prot)
{
	if ((prot & (PROT_EXEC | PROT_WRITE)) == PROT_EXEC)
		return;
	for (int i = site_index(p, start); i < p->nsites && p->sites[i].addr < end; i++)
		if (p->sites[i].live)
			restore_site(p, &p->sites[i]);
}

bool rewrite_undo(struct proc *p, uint64_t site)
{
	struct rw_site *s = site_find(p, site);
	return s && s->live && restore_site(p, s);
}

/* Drop the sites in [start, end): the memory behind them is gone. */
static void sites_drop(struct proc *p, uint64_t start, uint64_t end)
{
	int i = site_index(p, start), j = site_index(p, end);
	if (i == j)
		return;
	memmove(&p->sites[i], &p->sites[j], (size_t)(p->nsites - j) * sizeof(*p->sites));
	p->nsites -= j - i;
}

void rewrite_unmap(struct proc *p, uint64_t start, uint64_t end)
{
	sites_drop(p, start, end);
	rewrite_forget_shared(p, start, end);
}

/* mremap moved [old, old + olen) to [new, new + nlen), replacing whatever
 * was there: the sites keep their state at their new addresses. */
void rewrite_move(struct proc *p, uint64_t old, uint64_t olen, uint64_t new, uint64_t nlen)
{
	uint64_t keep = olen < nlen ? olen : nlen;
	int i = site_index(p, old), n = site_index(p, old + keep) - i;
	struct rw_site *moved = n ? malloc((size_t)n * sizeof(*moved)) : NULL;
	if (n && !moved)
		n = 0; /* forgotten sites are only re-trapped, never wrong */
	for (int k = 0; k < n; k++)
		moved[k] = p->sites[i + k], moved[k].addr = moved[k].addr - old + new;
	sites_drop(p, old, old + olen);
	sites_drop(p, new, new + nlen);
	for (int k = 0; k < n; k++) {
		struct rw_site *s = site_add(p, moved[k].addr);
		if (s)
			*s = moved[k];
	}
	free(moved);
}
