/* Guest memory: guest virtual == VMM virtual.
 *
 * Guest mappings are real host mappings at the same addresses.  This module
 * keeps the guest's view of them (the vma table, used for pointer
 * validation), the KVM memory slots that back them with guest-physical
 * addresses, and the guest page tables that map each guest virtual address
 * onto its slot.  The VMM's own memory is never in the vma table nor in the
 * page tables, except the few pages the CPU needs at CPL0 (gm_map_sys). */
#ifndef HL_GUESTMEM_H
#define HL_GUESTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gm_vma {
	uint64_t start, end;
	int prot; /* PROT_READ | PROT_WRITE | PROT_EXEC, or PROT_NONE */
};

struct gm_slot {
	uint64_t start, end, gpa;
	uint32_t id;
};

struct guestmem {
	int vm_fd;          /* -1: no KVM (unit tests drive the tables alone) */
	uint8_t *pt_pool;   /* page-table pages, guest-physical 0.. */
	uint64_t pt_pages, pt_used;
	uint64_t gpa_next, gpa_limit;
	uint32_t max_slots, next_slot_id;
	struct gm_vma *vmas;
	size_t nvmas, vcap;
	struct gm_slot *slots;
	size_t nslots, scap;
};

/* pt_pages page-table pages; max_slots KVM slots; gpa_bits of guest-physical
 * address space.  Returns 0 or -errno. */
int gm_init(struct guestmem *gm, int vm_fd, uint64_t pt_pages, uint32_t max_slots, int gpa_bits);
void gm_destroy(struct guestmem *gm);

/* Register every slot again with another VM (a forked child's, over its
 * copy-on-write copy of the same addresses).  0 or -errno. */
int gm_rebind(struct guestmem *gm, int vm_fd);

/* Guest-physical address of the top-level page table (CR3). */
static inline uint64_t gm_cr3(const struct guestmem *gm)
{
	(void)gm;
	return 0;
}

/* Record that the host now maps [start, end) for the guest with prot, and
 * map it in the guest page tables.  Replaces whatever the guest had there.
 * Returns 0, or -ENOMEM when slots, guest-physical space or page-table
 * pages run out (the guest table is then left without the range). */
int gm_map(struct guestmem *gm, uint64_t start, uint64_t end, int prot);

/* Forget [start, end) (the host mapping is gone or going). */
void gm_unmap(struct guestmem *gm, uint64_t start, uint64_t end);

/* Change the protection of [start, end), which must be fully mapped.
 * Returns 0, -ENOMEM (not fully mapped, or out of resources). */
int gm_protect(struct guestmem *gm, uint64_t start, uint64_t end, int prot);

/* Map a VMM page that CPL0 code uses (trampoline, GDT, IDT, TSS, exception
 * stack) into the guest page tables only.  Always U=1: some hypervisors
 * (kvm-pvm) triple-fault when CPL0 code touches a supervisor-only page. */
int gm_map_sys(struct guestmem *gm, uint64_t start, uint64_t end, int prot);

/* Map the page at va onto a guest-physical address no slot backs, so a
 * store there exits to the VMM (KVM_EXIT_MMIO). */
int gm_map_mmio(struct guestmem *gm, uint64_t va, uint64_t gpa);

/* The guest mapping containing addr, or NULL. */
const struct gm_vma *gm_find(const struct guestmem *gm, uint64_t addr);

/* Start of the first guest mapping above va, or limit. */
uint64_t gm_next_start(const struct guestmem *gm, uint64_t va, uint64_t limit);

/* True when every byte of [start, end) is in a guest mapping. */
bool gm_covered(const struct guestmem *gm, uint64_t start, uint64_t end);

/* 0 when [addr, addr + len) is guest memory whose protection includes
 * prot (PROT_READ or PROT_WRITE), else -EFAULT.  len 0 is always fine. */
int gm_check(const struct guestmem *gm, uint64_t addr, uint64_t len, int prot);

/* 0 when a NUL-terminated string starts at addr within readable guest
 * memory, or when max bytes are readable without a NUL (the kernel then
 * reports ENAMETOOLONG itself); else -EFAULT. */
int gm_check_str(const struct guestmem *gm, uint64_t addr, uint64_t max);

/* Copy from or to guest memory through the kernel, so a page that would
 * fault (a truncated shared file mapping) is reported instead of killing
 * the VMM.  Returns bytes copied (short at the first fault) or -EFAULT.
 * Callers check the range with gm_check first. */
long gm_read_guest(void *dst, uint64_t src, size_t len);
long gm_write_guest(uint64_t dst, const void *src, size_t len);

/* The guest virtual address a slot maps gpa at, or 0. */
uint64_t gm_gpa_to_va(const struct guestmem *gm, uint64_t gpa);

/* Guest-physical address for a guest virtual address (tests, debugging);
 * (uint64_t)-1 when the page is not mapped. */
uint64_t gm_translate(const struct guestmem *gm, uint64_t va);

#endif
