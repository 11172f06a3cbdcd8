/* hl_now_ns for the monitor: the vDSO's clock_gettime, found through its
 * dynamic symbol table, so that timing a call costs no system call; the
 * raw system call where there is no vDSO.  Where the TSC is invariant,
 * the TSC itself once the process has run 10 ms: scaled by the rate the
 * clock showed over those 10 ms and anchored where they end, it reads as
 * CLOCK_MONOTONIC does (within the clock's own adjustments, parts per
 * million) and touches no vDSO or clock page, which every call through a
 * rewritten site reads twice. */
#include "core/lib.h"
#include "monitor/mon.h"

#include <asm/unistd_64.h>
#include <elf.h>

struct kts {
	long sec, nsec;
};
typedef int (*clock_fn)(int, struct kts *);
static clock_fn vdso_clock;

#define TSC_SETTLE_NS 10000000ull
/* No reading yet; a thread is writing the first reading or the rate;
 * the rate is being timed; the TSC is in use. */
enum { TSC_NONE, TSC_BUSY, TSC_TIMING, TSC_READY };
static struct {
	bool invariant;
	uint64_t tsc0, ns0;      /* the first reading */
	uint64_t tsc1, ns1, mul; /* the anchor, and ns per tick << 32 */
	int state;
} tsc;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* CPUID 0x80000007 EDX bit 8: the TSC runs at one rate in every state. */
static bool tsc_invariant(void)
{
	uint32_t a = 0x80000000, b, c = 0, d;
	__asm__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	if (a < 0x80000007)
		return false;
	a = 0x80000007, c = 0;
	__asm__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d & (1u << 8);
}

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
	tsc.invariant = tsc_invariant();
	for (; auxv[0] != AT_NULL; auxv += 2)
		if (auxv[0] == AT_SYSINFO_EHDR && auxv[1])
			vdso_clock = (clock_fn)vdso_sym((const Elf64_Ehdr *)auxv[1], "__vdso_clock_gettime");
}

static uint64_t clock_ns(void)
{
	struct kts ts;
	if (!vdso_clock || vdso_clock(1 /* CLOCK_MONOTONIC */, &ts))
		hl_sys6(__NR_clock_gettime, 1, (long)&ts, 0, 0, 0, 0);
	return (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
}

/* While the rate is timed: the clock, and the first thread past 10 ms
 * publishes the rate (the others keep reading the clock till then). */
static uint64_t settle(void)
{
	uint64_t ns = clock_ns(), t = rdtsc();
	int st = __atomic_load_n(&tsc.state, __ATOMIC_ACQUIRE);
	if (st == TSC_NONE &&
	    __atomic_compare_exchange_n(&tsc.state, &st, TSC_BUSY, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		tsc.tsc0 = t, tsc.ns0 = ns;
		__atomic_store_n(&tsc.state, TSC_TIMING, __ATOMIC_RELEASE);
	} else if (st == TSC_TIMING && ns - tsc.ns0 >= TSC_SETTLE_NS && t > tsc.tsc0 &&
		   __atomic_compare_exchange_n(&tsc.state, &st, TSC_BUSY, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		tsc.mul = (uint64_t)(((unsigned __int128)(ns - tsc.ns0) << 32) / (t - tsc.tsc0));
		tsc.tsc1 = t, tsc.ns1 = ns;
		__atomic_store_n(&tsc.state, TSC_READY, __ATOMIC_RELEASE);
	}
	return ns;
}

uint64_t hl_now_ns(void)
{
	if (!tsc.invariant)
		return clock_ns();
	if (__atomic_load_n(&tsc.state, __ATOMIC_ACQUIRE) != TSC_READY)
		return settle();
	uint64_t d = rdtsc() - tsc.tsc1;
	return tsc.ns1 + (uint64_t)(((unsigned __int128)d * tsc.mul) >> 32);
}
