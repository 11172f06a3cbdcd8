/* Memory calls: forwarded to the host (guest virtual == VMM virtual), then
 * mirrored into the guest's vma table, memory slots and page tables.  The
 * VMM's own memory is out of the guest's reach: a MAP_FIXED or mremap onto
 * it fails with ENOMEM (as if the range were unavailable), munmap skips it,
 * and calls on ranges that are not fully guest memory fail as on unmapped
 * memory. */
#include "vmm/emul.h"
#include "core/elf.h"
#include "vmm/rewrite.h"
#include "vmm/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#define PROT_RWX (PROT_READ | PROT_WRITE | PROT_EXEC)

static struct guestmem *mem(struct proc *p)
{
	return &p->vm.mem;
}

/* A fixed mapping may replace guest memory or land in free space, never on
 * the VMM (sys_check_vmm probes the gaps between guest mappings). */
static long fixed_ok(struct proc *p, uint64_t addr, uint64_t len)
{
	uint64_t end = addr + len;
	if (end < addr || end > USER_VA_END)
		return -ENOMEM;
	return sys_check_vmm(p, addr, len) ? -ENOMEM : 0;
}

static long mm_mmap(struct proc *p, long nr, const long a[6])
{
	(void)nr;
	uint64_t addr = (uint64_t)a[0], len = PAGE_UP((uint64_t)a[1]);
	int prot = (int)a[2], flags = (int)a[3];
	if (!(flags & MAP_ANONYMOUS) && vm_is_vmm_fd((int)a[4]))
		return -EBADF;
	if (a[1] == 0 || len < (uint64_t)a[1])
		return a[1] == 0 ? -EINVAL : -ENOMEM;
	if (flags & MAP_FIXED) {
		long r = addr & (PAGE_SIZE - 1) ? -EINVAL : fixed_ok(p, addr, len);
		if (r)
			return r;
	}
	long r = host_syscall6(SYS_mmap, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (is_err(r))
		return r;
	int g = gm_map(mem(p), (uint64_t)r, (uint64_t)r + len, prot & PROT_RWX);
	if (g) {
		munmap((void *)r, len);
		return g;
	}
	rewrite_unmap(p, (uint64_t)r, (uint64_t)r + len);
	if ((flags & MAP_TYPE) != MAP_PRIVATE)
		rewrite_note_shared(p, (uint64_t)r, (uint64_t)r + len);
	return r;
}

static long mm_munmap(struct proc *p, long nr, const long a[6])
{
	(void)nr;
	uint64_t addr = (uint64_t)a[0], end = addr + PAGE_UP((uint64_t)a[1]);
	if ((addr & (PAGE_SIZE - 1)) || a[1] == 0 || end < addr || end > USER_VA_END)
		return -EINVAL;
	for (uint64_t cur = addr; cur < end;) {
		const struct gm_vma *v = gm_find(mem(p), cur);
		if (!v) {
			cur += PAGE_SIZE;
			continue;
		}
		uint64_t e = v->end < end ? v->end : end;
		if (munmap((void *)cur, e - cur))
			return -errno;
		gm_unmap(mem(p), cur, e);
		rewrite_unmap(p, cur, e);
		cur = e;
	}
	return 0;
}

/* Calls that act on a range of existing mappings: all of it must be the
 * guest's, as Linux requires it to be mapped. */
static long range_check(struct proc *p, uint64_t addr, uint64_t len)
{
	uint64_t end = addr + PAGE_UP(len);
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (end < addr || !gm_covered(mem(p), addr, end))
		return -ENOMEM;
	return 0;
}

/* mprotect and pkey_mprotect (the key stays the host's business). */
static long mm_mprotect(struct proc *p, long nr, const long a[6])
{
	uint64_t addr = (uint64_t)a[0], len = PAGE_UP((uint64_t)a[1]);
	long pkey = nr == SYS_pkey_mprotect ? a[3] : 0;
	long r = range_check(p, addr, (uint64_t)a[1]);
	/* Before the guest can write: if the call fails, the sites are
	 * only rewritten again. */
	if (!r)
		rewrite_protect(p, addr, addr + len, (int)a[2]);
	if (!r)
		r = host_syscall6(nr, a[0], a[1], a[2], pkey, 0, 0);
	if (!r && len)
		r = gm_protect(mem(p), addr, addr + len, (int)a[2] & PROT_RWX);
	return r;
}

/* madvise, msync, mlock, munlock, mlock2, mincore, remap_file_pages, mseal:
 * the range must be guest memory; the host does the rest. */
static long mm_range_call(struct proc *p, long nr, const long a[6])
{
	long r = range_check(p, (uint64_t)a[0], (uint64_t)a[1]);
	if (!r)
		r = sys_validate(p, sc_lookup(nr), a);
	return r ? r : host_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* Copy the protections of [old, old + len) to new, mapping by mapping. */
static int remap_vmas(struct proc *p, uint64_t old, uint64_t olen, uint64_t new, uint64_t nlen)
{
	struct gm_vma copy[64];
	int n = 0;
	for (uint64_t cur = old; cur < old + olen && n < 64;) {
		const struct gm_vma *v = gm_find(mem(p), cur);
		copy[n].start = cur;
		copy[n].end = v->end < old + olen ? v->end : old + olen;
		copy[n].prot = v->prot;
		cur = copy[n++].end;
	}
	int r = 0;
	for (int i = 0; i < n && !r; i++) {
		uint64_t s = new + (copy[i].start - old), e = new + (copy[i].end - old);
		r = gm_map(mem(p), s, e < new + nlen ? e : new + nlen, copy[i].prot);
	}
	if (!r && nlen > olen)
		r = gm_map(mem(p), new + olen, new + nlen, copy[n - 1].prot);
	return r;
}

static long mm_mremap(struct proc *p, long nr, const long a[6])
{
	(void)nr;
	uint64_t old = (uint64_t)a[0], olen = PAGE_UP((uint64_t)a[1]), nlen = PAGE_UP((uint64_t)a[2]);
	int flags = (int)a[3];
	if ((old & (PAGE_SIZE - 1)) || nlen == 0)
		return -EINVAL;
	uint64_t span = olen ? olen : PAGE_SIZE;
	if (old + span < old || !gm_covered(mem(p), old, old + span))
		return -EFAULT;
	if (flags & MREMAP_FIXED) {
		long f = fixed_ok(p, (uint64_t)a[4], nlen);
		if (f)
			return f;
	}
	long r = host_syscall6(SYS_mremap, a[0], a[1], a[2], a[3], a[4], 0);
	if (is_err(r))
		return r;
	uint64_t new = (uint64_t)r;
	struct gm_vma first = *gm_find(mem(p), old);
	int g;
	if (new == old && nlen <= olen) {
		gm_unmap(mem(p), old + nlen, old + olen);
		rewrite_unmap(p, old + nlen, old + olen);
		return r;
	}
	if (new == old) {
		g = gm_map(mem(p), old + olen, old + nlen, first.prot);
	} else {
		/* Moving a shared mapping keeps it shared: never rewritten. */
		bool shared = rewrite_is_shared(p, old, old + span);
		g = remap_vmas(p, old, olen ? olen : nlen, new, nlen);
		/* MREMAP_DONTUNMAP leaves the old range empty: no sites. */
		rewrite_move(p, old, olen, new, nlen);
		if (!(flags & MREMAP_DONTUNMAP) && olen) {
			gm_unmap(mem(p), old, old + olen);
			rewrite_forget_shared(p, old, old + olen);
		}
		if (shared)
			rewrite_note_shared(p, new, new + nlen);
	}
	return g ? g : r;
}

static long mm_brk(struct proc *p, long nr, const long a[6])
{
	(void)nr;
	uint64_t want = (uint64_t)a[0];
	if (want < p->brk_start || want > p->brk_end)
		return (long)p->brk_cur;
	uint64_t oend = PAGE_UP(p->brk_cur), nend = PAGE_UP(want);
	if (nend > oend) {
		void *m = mmap((void *)oend, nend - oend, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (m == MAP_FAILED)
			return (long)p->brk_cur;
		if (gm_map(mem(p), oend, nend, PROT_READ | PROT_WRITE)) {
			mmap((void *)oend, nend - oend, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
			return (long)p->brk_cur;
		}
	} else if (nend < oend) {
		/* Back to reserved address space, as the heap shrinks. */
		mmap((void *)nend, oend - nend, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
		gm_unmap(mem(p), nend, oend);
		rewrite_unmap(p, nend, oend);
	}
	p->brk_cur = want;
	return (long)want;
}

static long mm_shmat(struct proc *p, long nr, const long a[6])
{
	(void)nr;
	struct shmid_ds ds;
	if (a[1] && (a[2] & SHM_REMAP)) {
		long f = fixed_ok(p, PAGE_DOWN((uint64_t)a[1]), PAGE_SIZE);
		if (f)
			return -EINVAL;
	}
	long r = host_syscall6(SYS_shmat, a[0], a[1], a[2], 0, 0, 0);
	if (is_err(r))
		return r;
	if (shmctl((int)a[0], IPC_STAT, &ds)) {
		shmdt((void *)r);
		return -EINVAL;
	}
	int prot = PROT_READ | (a[2] & SHM_RDONLY ? 0 : PROT_WRITE) | (a[2] & SHM_EXEC ? PROT_EXEC : 0);
	int i = 0;
	while (i < HL_MAX_SHM && p->shm[i].len)
		i++;
	if (i == HL_MAX_SHM || gm_map(mem(p), (uint64_t)r, (uint64_t)r + PAGE_UP(ds.shm_segsz), prot)) {
		shmdt((void *)r);
		return -ENOMEM;
	}
	rewrite_note_shared(p, (uint64_t)r, (uint64_t)r + PAGE_UP(ds.shm_segsz));
	p->shm[i].addr = (uint64_t)r;
	p->shm[i].len = PAGE_UP(ds.shm_segsz);
	return r;
}

static long mm_shmdt(struct proc *p, long nr, const long a[6])
{
	(void)nr;
	uint64_t addr = (uint64_t)a[0];
	for (int i = 0; i < HL_MAX_SHM; i++) {
		if (p->shm[i].addr != addr || !p->shm[i].len)
			continue;
		long r = host_syscall6(SYS_shmdt, a[0], 0, 0, 0, 0, 0);
		if (!r) {
			gm_unmap(mem(p), addr, addr + p->shm[i].len);
			rewrite_unmap(p, addr, addr + p->shm[i].len);
		}
		p->shm[i].len = r ? p->shm[i].len : 0;
		return r;
	}
	return -EINVAL;
}

/* ---- entry points: the mm lock held for writing, except for calls that
 * only look at the mappings ---- */

#define MM_WRITER(name)                                              \
	long emu_##name(struct thread *t, const long a[6])            \
	{                                                             \
		pthread_rwlock_wrlock(&t->proc->mm);                  \
		long r = mm_##name(t->proc, t->cur_nr, a);            \
		pthread_rwlock_unlock(&t->proc->mm);                  \
		return r;                                             \
	}

MM_WRITER(mmap)
MM_WRITER(munmap)
MM_WRITER(mprotect)
MM_WRITER(mremap)
MM_WRITER(brk)
MM_WRITER(shmat)
MM_WRITER(shmdt)

long emu_range_call(struct thread *t, const long a[6])
{
	pthread_rwlock_rdlock(&t->proc->mm);
	long r = mm_range_call(t->proc, t->cur_nr, a);
	pthread_rwlock_unlock(&t->proc->mm);
	return r;
}
