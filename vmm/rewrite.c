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
 * Only a site that just trapped is rewritten (so the bytes are a real
 * instruction boundary), only in an executable private mapping (a shared
 * one would write through to the file), and only when the bytes still read
 * `0f 05`.  The write goes through /proc/self/mem, which breaks
 * copy-on-write: the rewritten page becomes private to this process. */
#include "vmm/rewrite.h"
#include "vmm/util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

bool rewrite_site(struct proc *p, uint64_t site)
{
	static const uint8_t out[2] = {0xe6, HL_PORT_SYSCALL};
	uint8_t cur[2];
	const struct gm_vma *v = gm_find(&p->vm.mem, site);
	if (mem_fd < 0 || !v || !(v->prot & PROT_EXEC) || site + 2 > v->end ||
	    range_find(p, site, site + 2) >= 0)
		return false;
	if (gm_read_guest(cur, site, 2) != 2 || cur[0] != 0x0f || cur[1] != 0x05)
		return false;
	if (pwrite(mem_fd, out, 2, (off_t)site) != 2)
		return false;
	stats_add(&p->stats->rewritten_sites, 1);
	return true;
}
