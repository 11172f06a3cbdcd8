#include "vmm/guestmem.h"
#include "vmm/util.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_U 0x4ull
#define PTE_A 0x20ull
#define PTE_D 0x40ull
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define HUGE_2M (2ull << 20)
/* A new slot may grow over neighbouring guest mappings up to this size, so
 * a reservation opened piece by piece (malloc arenas, stacks) costs one
 * slot instead of one per piece, while a huge PROT_NONE reservation never
 * becomes a huge slot (slot metadata is proportional to its size). */
#define SLOT_GROW_MAX (256ull << 20)

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- page tables ---- */

static uint64_t *pt_page(const struct guestmem *gm, uint64_t gpa)
{
	return (uint64_t *)(gm->pt_pool + gpa);
}

/* The PTE for va; creates missing intermediate tables when create.  NULL
 * when absent, or (with create) when page-table pages ran out. */
static uint64_t *pte_slot(struct guestmem *gm, uint64_t va, bool create)
{
	uint64_t *table = pt_page(gm, gm_cr3(gm));
	for (int level = 3; level > 0; level--) {
		uint64_t *e = &table[(va >> (12 + 9 * level)) & 511];
		if (!(*e & PTE_P)) {
			if (!create || gm->pt_used == gm->pt_pages)
				return NULL;
			/* Leaves decide the rights; upper levels grant all. */
			*e = (gm->pt_used++ * PAGE_SIZE) | PTE_P | PTE_W | PTE_U | PTE_A;
		}
		table = pt_page(gm, *e & PTE_ADDR);
	}
	return &table[(va >> 12) & 511];
}

static const struct gm_slot *slot_find(const struct guestmem *gm, uint64_t va);

/* Write the leaf entries of [start, end).  A/D are preset so the CPU (or
 * the hypervisor emulating it) never has to write them back.  Removing
 * rights here is only safe together with a host munmap/mprotect of the same
 * range: the host change is what makes KVM drop its shadow entries (MMU
 * notifiers); a guest TLB flush alone would not. */
static int pte_fill(struct guestmem *gm, uint64_t start, uint64_t end, int prot)
{
	uint64_t flags = PTE_P | PTE_A | PTE_D | PTE_U;
	flags |= (prot & PROT_WRITE ? PTE_W : 0) | (prot & PROT_EXEC ? 0 : PTE_NX);
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		uint64_t *pte = pte_slot(gm, va, prot != PROT_NONE);
		if (!pte) {
			if (prot == PROT_NONE)
				continue;
			return -ENOMEM;
		}
		const struct gm_slot *s = prot == PROT_NONE ? NULL : slot_find(gm, va);
		*pte = s ? (s->gpa + (va - s->start)) | flags : 0;
	}
	return 0;
}

/* ---- slots ---- */

static size_t slot_index(const struct guestmem *gm, uint64_t va)
{
	size_t lo = 0, hi = gm->nslots;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (gm->slots[mid].end <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo; /* first slot ending above va */
}

static const struct gm_slot *slot_find(const struct guestmem *gm, uint64_t va)
{
	size_t i = slot_index(gm, va);
	return i < gm->nslots && gm->slots[i].start <= va ? &gm->slots[i] : NULL;
}

static int slot_register(struct guestmem *gm, const struct gm_slot *s)
{
	if (gm->vm_fd < 0)
		return 0;
	struct kvm_userspace_memory_region r = {
		.slot = s->id,
		.guest_phys_addr = s->gpa,
		.memory_size = s->end - s->start,
		.userspace_addr = s->start,
	};
	return ioctl(gm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) ? -errno : 0;
}

/* A slot for [start, end).  Its guest-physical base has the same offset in
 * a 2 MiB page as start, so large pages stay possible on both sides. */
static int slot_add(struct guestmem *gm, uint64_t start, uint64_t end)
{
	uint64_t gpa = ((gm->gpa_next + HUGE_2M - 1) & ~(HUGE_2M - 1)) + (start & (HUGE_2M - 1));
	if (gm->next_slot_id >= gm->max_slots || gpa + (end - start) > gm->gpa_limit)
		return -ENOMEM;
	if (grow((void **)&gm->slots, &gm->scap, gm->nslots + 1, sizeof(*gm->slots)))
		return -ENOMEM;
	struct gm_slot s = {start, end, gpa, gm->next_slot_id};
	int r = slot_register(gm, &s);
	if (r)
		return r == -EEXIST || r == -EINVAL ? r : -ENOMEM;
	gm->next_slot_id++;
	gm->gpa_next = gpa + (end - start);
	size_t i = slot_index(gm, start);
	memmove(&gm->slots[i + 1], &gm->slots[i], (gm->nslots - i) * sizeof(s));
	gm->slots[i] = s;
	gm->nslots++;
	return 0;
}

static size_t vma_index(const struct guestmem *gm, uint64_t va);

/* How far a new slot around [start, end) may reach: over adjacent guest
 * mappings, never into another slot, at most SLOT_GROW_MAX. */
static void slot_extent(const struct guestmem *gm, uint64_t *start, uint64_t *end)
{
	size_t si = slot_index(gm, *start);
	uint64_t floor = si > 0 ? gm->slots[si - 1].end : 0;
	uint64_t ceil = si < gm->nslots ? gm->slots[si].start : ~0ull;
	uint64_t budget = SLOT_GROW_MAX > *end - *start ? SLOT_GROW_MAX - (*end - *start) : 0;
	size_t i = vma_index(gm, *start);
	uint64_t lo = *start;
	while (i > 0 && gm->vmas[i - 1].end == lo && lo > floor && *start - lo < budget / 2)
		lo = gm->vmas[--i].start;
	lo = lo < floor ? floor : lo;
	lo = *start - lo > budget / 2 ? *start - budget / 2 : lo;
	i = vma_index(gm, *end - 1);
	uint64_t hi = *end;
	while (i < gm->nvmas && gm->vmas[i].start <= hi && gm->vmas[i].end > hi && hi - *end < budget / 2)
		hi = gm->vmas[i++].end;
	hi = hi > ceil ? ceil : hi;
	hi = hi - *end > budget / 2 ? *end + budget / 2 : hi;
	*start = PAGE_DOWN(lo);
	*end = PAGE_UP(hi);
}

/* Make sure every page of [start, end) is in some slot.  Slots are never
 * removed when the guest unmaps: the same virtual range keeps its
 * guest-physical range, and KVM follows the host mapping by itself. */
static int slots_cover(struct guestmem *gm, uint64_t start, uint64_t end)
{
	uint64_t cur = start;
	while (cur < end) {
		size_t i = slot_index(gm, cur);
		if (i < gm->nslots && gm->slots[i].start <= cur) {
			cur = gm->slots[i].end;
			continue;
		}
		uint64_t gend = i < gm->nslots && gm->slots[i].start < end ? gm->slots[i].start : end;
		uint64_t a = cur, b = gend;
		slot_extent(gm, &a, &b);
		int r = slot_add(gm, a, b);
		if (r)
			return r;
		cur = b;
	}
	return 0;
}

/* ---- the vma table ---- */

static size_t vma_index(const struct guestmem *gm, uint64_t va)
{
	size_t lo = 0, hi = gm->nvmas;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (gm->vmas[mid].end <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int vma_insert_at(struct guestmem *gm, size_t i, struct gm_vma v)
{
	if (grow((void **)&gm->vmas, &gm->vcap, gm->nvmas + 1, sizeof(v)))
		return -ENOMEM;
	memmove(&gm->vmas[i + 1], &gm->vmas[i], (gm->nvmas - i) * sizeof(v));
	gm->vmas[i] = v;
	gm->nvmas++;
	return 0;
}

static void vma_remove_at(struct guestmem *gm, size_t i)
{
	memmove(&gm->vmas[i], &gm->vmas[i + 1], (gm->nvmas - i - 1) * sizeof(*gm->vmas));
	gm->nvmas--;
}

/* Cut [start, end) out of the table, splitting mappings that straddle it. */
static int vma_carve(struct guestmem *gm, uint64_t start, uint64_t end)
{
	size_t i = vma_index(gm, start);
	while (i < gm->nvmas && gm->vmas[i].start < end) {
		struct gm_vma *v = &gm->vmas[i];
		if (v->start < start && v->end > end) {
			struct gm_vma right = {end, v->end, v->prot};
			v->end = start;
			return vma_insert_at(gm, i + 1, right);
		}
		if (v->start < start) {
			v->end = start;
			i++;
		} else if (v->end > end) {
			v->start = end;
			break;
		} else {
			vma_remove_at(gm, i);
		}
	}
	return 0;
}

static void vma_merge_around(struct guestmem *gm, size_t i)
{
	if (i + 1 < gm->nvmas && gm->vmas[i].end == gm->vmas[i + 1].start &&
	    gm->vmas[i].prot == gm->vmas[i + 1].prot) {
		gm->vmas[i].end = gm->vmas[i + 1].end;
		vma_remove_at(gm, i + 1);
	}
	if (i > 0 && gm->vmas[i - 1].end == gm->vmas[i].start &&
	    gm->vmas[i - 1].prot == gm->vmas[i].prot) {
		gm->vmas[i - 1].end = gm->vmas[i].end;
		vma_remove_at(gm, i);
	}
}

static int vma_set(struct guestmem *gm, uint64_t start, uint64_t end, int prot)
{
	int r = vma_carve(gm, start, end);
	if (r)
		return r;
	size_t i = vma_index(gm, start);
	r = vma_insert_at(gm, i, (struct gm_vma){start, end, prot});
	if (!r)
		vma_merge_around(gm, i);
	return r;
}

/* ---- public ---- */

int gm_init(struct guestmem *gm, int vm_fd, uint64_t pt_pages, uint32_t max_slots, int gpa_bits)
{
	memset(gm, 0, sizeof(*gm));
	gm->vm_fd = vm_fd;
	gm->max_slots = max_slots;
	gm->pt_pages = pt_pages;
	gm->pt_used = 1; /* page 0 is the PML4 */
	/* MAP_PRIVATE: a forked child must get its own copy, not share ours. */
	gm->pt_pool = mmap(NULL, pt_pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (gm->pt_pool == MAP_FAILED)
		return -errno;
	gm->gpa_limit = 1ull << gpa_bits;
	struct gm_slot pool = {(uint64_t)gm->pt_pool, (uint64_t)gm->pt_pool + pt_pages * PAGE_SIZE, 0, 0};
	int r = slot_register(gm, &pool);
	gm->next_slot_id = 1;
	gm->gpa_next = pt_pages * PAGE_SIZE;
	return r;
}

uint64_t gm_gpa_to_va(const struct guestmem *gm, uint64_t gpa)
{
	for (size_t i = 0; i < gm->nslots; i++) {
		const struct gm_slot *s = &gm->slots[i];
		if (gpa >= s->gpa && gpa - s->gpa < s->end - s->start)
			return s->start + (gpa - s->gpa);
	}
	return 0;
}

int gm_rebind(struct guestmem *gm, int vm_fd)
{
	gm->vm_fd = vm_fd;
	struct gm_slot pool = {(uint64_t)gm->pt_pool, (uint64_t)gm->pt_pool + gm->pt_pages * PAGE_SIZE, 0, 0};
	int r = slot_register(gm, &pool);
	for (size_t i = 0; !r && i < gm->nslots; i++)
		r = slot_register(gm, &gm->slots[i]);
	return r;
}

void gm_destroy(struct guestmem *gm)
{
	munmap(gm->pt_pool, gm->pt_pages * PAGE_SIZE);
	free(gm->vmas);
	free(gm->slots);
	memset(gm, 0, sizeof(*gm));
}

int gm_map(struct guestmem *gm, uint64_t start, uint64_t end, int prot)
{
	int r = vma_set(gm, start, end, prot);
	if (!r && prot != PROT_NONE)
		r = slots_cover(gm, start, end);
	if (!r)
		r = pte_fill(gm, start, end, prot);
	if (r) {
		vma_carve(gm, start, end);
		pte_fill(gm, start, end, PROT_NONE);
	}
	return r;
}

void gm_unmap(struct guestmem *gm, uint64_t start, uint64_t end)
{
	vma_carve(gm, start, end);
	pte_fill(gm, start, end, PROT_NONE);
}

/* Create the page tables of [start, end) up front, so that a later
 * pte_fill() cannot fail half way through a change. */
static int pte_reserve(struct guestmem *gm, uint64_t start, uint64_t end)
{
	for (uint64_t va = start; va < end; va += 512 * PAGE_SIZE)
		if (!pte_slot(gm, va, true))
			return -ENOMEM;
	return end > start && !pte_slot(gm, end - 1, true) ? -ENOMEM : 0;
}

int gm_protect(struct guestmem *gm, uint64_t start, uint64_t end, int prot)
{
	if (!gm_covered(gm, start, end))
		return -ENOMEM;
	int r = prot != PROT_NONE ? pte_reserve(gm, start, end) : 0;
	if (!r && prot != PROT_NONE)
		r = slots_cover(gm, start, end);
	if (!r)
		r = vma_set(gm, start, end, prot);
	if (!r)
		r = pte_fill(gm, start, end, prot);
	return r;
}

int gm_map_sys(struct guestmem *gm, uint64_t start, uint64_t end, int prot)
{
	int r = slots_cover(gm, start, end);
	return r ? r : pte_fill(gm, start, end, prot);
}

int gm_map_mmio(struct guestmem *gm, uint64_t va, uint64_t gpa)
{
	uint64_t *pte = pte_slot(gm, va, true);
	if (!pte)
		return -ENOMEM;
	*pte = gpa | PTE_P | PTE_W | PTE_U | PTE_A | PTE_D | PTE_NX;
	return 0;
}

const struct gm_vma *gm_find(const struct guestmem *gm, uint64_t addr)
{
	size_t i = vma_index(gm, addr);
	return i < gm->nvmas && gm->vmas[i].start <= addr ? &gm->vmas[i] : NULL;
}

static bool prot_allows(int have, int need)
{
	/* x86 pages without PKU: any present page is readable. */
	if (have == PROT_NONE)
		return false;
	return !(need & PROT_WRITE) || (have & PROT_WRITE);
}

static int check_range(const struct guestmem *gm, uint64_t start, uint64_t end, int need)
{
	size_t i = vma_index(gm, start);
	for (uint64_t cur = start; cur < end; i++) {
		if (i >= gm->nvmas || gm->vmas[i].start > cur)
			return -EFAULT;
		if (need >= 0 && !prot_allows(gm->vmas[i].prot, need))
			return -EFAULT;
		cur = gm->vmas[i].end;
	}
	return 0;
}

uint64_t gm_next_start(const struct guestmem *gm, uint64_t va, uint64_t limit)
{
	size_t i = vma_index(gm, va);
	uint64_t next = i < gm->nvmas ? gm->vmas[i].start : limit;
	return next > va && next < limit ? next : limit;
}

bool gm_covered(const struct guestmem *gm, uint64_t start, uint64_t end)
{
	return check_range(gm, start, end, -1) == 0;
}

int gm_check(const struct guestmem *gm, uint64_t addr, uint64_t len, int prot)
{
	if (len == 0)
		return 0;
	if (addr + len < addr)
		return -EFAULT;
	return check_range(gm, addr, addr + len, prot);
}

int gm_check_str(const struct guestmem *gm, uint64_t addr, uint64_t max)
{
	uint64_t cur = addr;
	while (cur - addr < max) {
		const struct gm_vma *v = gm_find(gm, cur);
		if (!v || !prot_allows(v->prot, PROT_READ))
			return -EFAULT;
		uint64_t lim = v->end - cur < max - (cur - addr) ? v->end - cur : max - (cur - addr);
		/* The string is guest memory, and guest memory is ours: but a
		 * truncated shared file mapping would SIGBUS us, so copy it
		 * through the kernel, which reports a fault instead. */
		char buf[256];
		while (lim) {
			size_t n = lim < sizeof(buf) ? lim : sizeof(buf);
			long got = gm_read_guest(buf, cur, n);
			if (got <= 0)
				return -EFAULT;
			if (memchr(buf, 0, (size_t)got))
				return 0;
			cur += (uint64_t)got;
			lim -= (uint64_t)got;
		}
	}
	return 0;
}

long gm_read_guest(void *dst, uint64_t src, size_t len)
{
	struct iovec l = {dst, len}, r = {(void *)src, len};
	long n = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
	return n < 0 ? -EFAULT : n;
}

long gm_write_guest(uint64_t dst, const void *src, size_t len)
{
	struct iovec l = {(void *)src, len}, r = {(void *)dst, len};
	long n = process_vm_writev(getpid(), &l, 1, &r, 1, 0);
	return n < 0 ? -EFAULT : n;
}

uint64_t gm_translate(const struct guestmem *gm, uint64_t va)
{
	uint64_t *pte = pte_slot((struct guestmem *)gm, va, false);
	if (!pte || !(*pte & PTE_P))
		return (uint64_t)-1;
	return (*pte & PTE_ADDR) | (va & (PAGE_SIZE - 1));
}
