/* hl_now_ns for the monitor: the vDSO's clock_gettime, found through its
 * dynamic symbol table, so that timing a call costs no system call; the
 * raw system call where there is no vDSO. */
#include "core/lib.h"
#include "monitor/mon.h"

#include <asm/unistd_64.h>
#include <elf.h>

struct kts {
	long sec, nsec;
};
typedef int (*clock_fn)(int, struct kts *);
static clock_fn vdso_clock;

static const Elf64_Dyn *dyn_of(const Elf64_Ehdr *eh, uint64_t *bias)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)((const char *)eh + eh->e_phoff);
	const Elf64_Dyn *dyn = 0;
	*bias = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !*bias)
			*bias = (uint64_t)eh - ph[i].p_vaddr + ph[i].p_offset;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)ph[i].p_offset;
	}
	return dyn ? (const Elf64_Dyn *)((const char *)eh + (uint64_t)dyn) : 0;
}

/* The vDSO's symbol name in its (hash-sized) dynamic symbol table. */
static void *vdso_sym(const Elf64_Ehdr *eh, const char *name)
{
	uint64_t bias;
	const Elf64_Dyn *d = dyn_of(eh, &bias);
	const Elf64_Sym *sym = 0;
	const char *str = 0;
	const uint32_t *hash = 0;
	for (; d && d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_SYMTAB)
			sym = (const Elf64_Sym *)(d->d_un.d_ptr + bias);
		else if (d->d_tag == DT_STRTAB)
			str = (const char *)(d->d_un.d_ptr + bias);
		else if (d->d_tag == DT_HASH)
			hash = (const uint32_t *)(d->d_un.d_ptr + bias);
	}
	if (!sym || !str || !hash)
		return 0;
	for (uint32_t i = 0; i < hash[1]; i++)
		if (sym[i].st_shndx != SHN_UNDEF && !strcmp(str + sym[i].st_name, name))
			return (void *)(sym[i].st_value + bias);
	return 0;
}

void mon_clock_init(uint64_t *auxv)
{
	for (; auxv[0] != AT_NULL; auxv += 2)
		if (auxv[0] == AT_SYSINFO_EHDR && auxv[1])
			vdso_clock = (clock_fn)vdso_sym((const Elf64_Ehdr *)auxv[1], "__vdso_clock_gettime");
}

uint64_t hl_now_ns(void)
{
	struct kts ts;
	if (!vdso_clock || vdso_clock(1 /* CLOCK_MONOTONIC */, &ts))
		hl_sys6(__NR_clock_gettime, 1, (long)&ts, 0, 0, 0, 0);
	return (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
}
