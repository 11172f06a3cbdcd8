/* Guest memory bookkeeping without KVM (vm_fd -1): the vma table, memory
 * slots and guest page tables, at plausible user addresses that are never
 * touched (gm_* only records them), plus the process_vm_* copies on real
 * memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/guestmem.h"

#define PG 4096ull
#define MB (1ull << 20)
#define GB (1ull << 30)
#define BASE 0x10000000000ull /* 1 TiB: PML4 slot 2, nothing of ours there */
#define NOPE ((uint64_t)-1)
#define RW (PROT_READ | PROT_WRITE)

struct fixture {
	struct guestmem gm;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || gm_init(&f->gm, -1, 256, 100, 46))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	gm_destroy(&f->gm);
	free(f);
	return 0;
}

static struct guestmem *GM(void **state)
{
	return &((struct fixture *)*state)->gm;
}

struct want {
	uint64_t start, end;
	int prot;
};

/* The vma table is exactly w[0..n). */
static void expect_vmas(const struct guestmem *gm, const struct want *w, size_t n)
{
	if (gm->nvmas != n) {
		for (size_t i = 0; i < gm->nvmas; i++)
			print_message("  vma %zu: [%#llx, %#llx) prot %d\n", i,
				      (unsigned long long)gm->vmas[i].start,
				      (unsigned long long)gm->vmas[i].end, gm->vmas[i].prot);
		fail_msg("%zu vmas, expected %zu", gm->nvmas, n);
	}
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(gm->vmas[i].start, w[i].start);
		assert_int_equal(gm->vmas[i].end, w[i].end);
		assert_int_equal(gm->vmas[i].prot, w[i].prot);
		const struct gm_vma *v = gm_find(gm, w[i].start);
		assert_non_null(v);
		assert_int_equal(v->start, w[i].start);
		v = gm_find(gm, w[i].end - 1);
		assert_non_null(v);
		assert_int_equal(v->end, w[i].end);
	}
}

#define EXPECT(gm, ...)                                                    \
	do {                                                               \
		const struct want w_[] = {__VA_ARGS__};                    \
		expect_vmas((gm), w_, sizeof(w_) / sizeof(w_[0]));         \
	} while (0)

/* ---- the vma table ---- */

static void test_map_find(void **state)
{
	struct guestmem *gm = GM(state);
	uint64_t a = BASE, d = BASE + 4 * PG;
	assert_int_equal(gm->nvmas, 0);
	assert_null(gm_find(gm, a));
	assert_int_equal(gm_map(gm, a, d, RW), 0);
	EXPECT(gm, {a, d, RW});
	assert_non_null(gm_find(gm, a + 123));
	assert_non_null(gm_find(gm, d - 1));
	assert_null(gm_find(gm, a - 1));
	assert_null(gm_find(gm, d));
	assert_null(gm_find(gm, 0));
	assert_null(gm_find(gm, ~0ull));
	assert_true(gm_covered(gm, a, d));
	assert_true(gm_covered(gm, a + PG, a + 2 * PG));
	assert_true(gm_covered(gm, a, a)); /* empty */
	assert_false(gm_covered(gm, a - PG, d));
	assert_false(gm_covered(gm, a, d + 1));
	assert_int_equal(gm_next_start(gm, a - 10 * PG, ~0ull), a);
	assert_int_equal(gm_next_start(gm, a, ~0ull), ~0ull); /* inside: next above */
	assert_int_equal(gm_next_start(gm, d, BASE + GB), BASE + GB);
	assert_int_equal(gm_next_start(gm, 0, a - PG), a - PG); /* limit first */
}

static void test_check_prot(void **state)
{
	struct guestmem *gm = GM(state);
	uint64_t r = BASE, w = BASE + PG, x = BASE + 2 * PG, wo = BASE + 3 * PG,
		 none = BASE + 4 * PG, end = BASE + 5 * PG;
	assert_int_equal(gm_map(gm, r, r + PG, PROT_READ), 0);
	assert_int_equal(gm_map(gm, w, w + PG, RW), 0);
	assert_int_equal(gm_map(gm, x, x + PG, PROT_EXEC), 0);
	assert_int_equal(gm_map(gm, wo, wo + PG, PROT_WRITE), 0);
	assert_int_equal(gm_map(gm, none, none + PG, PROT_NONE), 0);
	EXPECT(gm, {r, r + PG, PROT_READ}, {w, w + PG, RW}, {x, x + PG, PROT_EXEC},
	       {wo, wo + PG, PROT_WRITE}, {none, none + PG, PROT_NONE});

	/* Any present protection is readable (x86 without PKU). */
	assert_int_equal(gm_check(gm, r, PG, PROT_READ), 0);
	assert_int_equal(gm_check(gm, w, PG, PROT_READ), 0);
	assert_int_equal(gm_check(gm, x, PG, PROT_READ), 0);
	assert_int_equal(gm_check(gm, wo, PG, PROT_READ), 0);
	assert_int_equal(gm_check(gm, none, 1, PROT_READ), -EFAULT);
	/* Writing needs PROT_WRITE. */
	assert_int_equal(gm_check(gm, r, 1, PROT_WRITE), -EFAULT);
	assert_int_equal(gm_check(gm, w, PG, PROT_WRITE), 0);
	assert_int_equal(gm_check(gm, x, 1, PROT_WRITE), -EFAULT);
	assert_int_equal(gm_check(gm, wo, PG, PROT_WRITE), 0);
	assert_int_equal(gm_check(gm, none, 1, PROT_WRITE), -EFAULT);
	/* Ranges over several mappings: the weakest decides. */
	assert_int_equal(gm_check(gm, r, 4 * PG, PROT_READ), 0);
	assert_int_equal(gm_check(gm, r + PG - 1, 2, PROT_READ), 0);
	assert_int_equal(gm_check(gm, w + PG - 1, 2, PROT_WRITE), -EFAULT);
	assert_int_equal(gm_check(gm, r, 5 * PG, PROT_READ), -EFAULT);
	assert_int_equal(gm_check(gm, wo + PG - 1, 2, PROT_READ), -EFAULT);
	/* Unmapped memory, before, after, and in a hole. */
	assert_int_equal(gm_check(gm, r - 1, 1, PROT_READ), -EFAULT);
	assert_int_equal(gm_check(gm, r - 1, 2, PROT_READ), -EFAULT);
	assert_int_equal(gm_check(gm, end, 1, PROT_READ), -EFAULT);
	assert_int_equal(gm_check(gm, 0, 1, PROT_READ), -EFAULT);
	gm_unmap(gm, w, w + PG);
	assert_int_equal(gm_check(gm, r, 3 * PG, PROT_READ), -EFAULT);
	assert_int_equal(gm_check(gm, r, PG, PROT_READ), 0);
	/* len 0 is always fine, even unmapped or at NULL. */
	assert_int_equal(gm_check(gm, 0, 0, PROT_WRITE), 0);
	assert_int_equal(gm_check(gm, w, 0, PROT_WRITE), 0);
	assert_int_equal(gm_check(gm, ~0ull, 0, PROT_READ), 0);
	/* Overflowing ranges. */
	assert_int_equal(gm_check(gm, r, ~0ull, PROT_READ), -EFAULT);
	assert_int_equal(gm_check(gm, ~0ull - 10, 100, PROT_READ), -EFAULT);
	assert_int_equal(gm_check(gm, ~0ull - 99, 100, PROT_READ), -EFAULT); /* wraps to 0 */
	assert_int_equal(gm_check(gm, r + 16, ~0ull - 8, PROT_READ), -EFAULT);
}

static void test_overflow_at_top(void **state)
{
	/* A mapping at the very top of the address space: the end of a range
	 * that would wrap must still be rejected. */
	struct guestmem *gm = GM(state);
	uint64_t top = 0x7ffffffff000ull - 2 * PG;
	assert_int_equal(gm_map(gm, top, top + 2 * PG, RW), 0);
	assert_int_equal(gm_check(gm, top, 2 * PG, PROT_WRITE), 0);
	assert_int_equal(gm_check(gm, top, 2 * PG + 1, PROT_READ), -EFAULT);
	assert_int_equal(gm_check(gm, top + PG, ~0ull - top, PROT_READ), -EFAULT);
}

static void test_split_merge(void **state)
{
	struct guestmem *gm = GM(state);
	uint64_t a = BASE, b = BASE + 2 * PG, c = BASE + 5 * PG, d = BASE + 8 * PG;
	assert_int_equal(gm_map(gm, a, d, RW), 0);
	assert_int_equal(gm_protect(gm, b, c, PROT_READ), 0);
	EXPECT(gm, {a, b, RW}, {b, c, PROT_READ}, {c, d, RW});
	assert_int_equal(gm_check(gm, a, d - a, PROT_READ), 0);
	assert_int_equal(gm_check(gm, a, d - a, PROT_WRITE), -EFAULT);
	assert_int_equal(gm_check(gm, c, d - c, PROT_WRITE), 0);
	/* Back: one mapping again. */
	assert_int_equal(gm_protect(gm, b, c, RW), 0);
	EXPECT(gm, {a, d, RW});
	/* At the edges: two pieces, then merged. */
	assert_int_equal(gm_protect(gm, a, b, PROT_NONE), 0);
	EXPECT(gm, {a, b, PROT_NONE}, {b, d, RW});
	assert_int_equal(gm_protect(gm, c, d, PROT_EXEC), 0);
	EXPECT(gm, {a, b, PROT_NONE}, {b, c, RW}, {c, d, PROT_EXEC});
	assert_int_equal(gm_protect(gm, a, d, PROT_READ), 0);
	EXPECT(gm, {a, d, PROT_READ});
	/* The same protection again changes nothing. */
	assert_int_equal(gm_protect(gm, b, c, PROT_READ), 0);
	EXPECT(gm, {a, d, PROT_READ});
	/* A protect spanning several mappings merges them all. */
	assert_int_equal(gm_protect(gm, a + PG, a + 2 * PG, RW), 0);
	assert_int_equal(gm_protect(gm, a + 3 * PG, a + 4 * PG, PROT_EXEC), 0);
	assert_int_equal(gm_protect(gm, a + 6 * PG, a + 7 * PG, PROT_NONE), 0);
	assert_int_equal(gm->nvmas, 7);
	assert_int_equal(gm_protect(gm, a, d, RW), 0);
	EXPECT(gm, {a, d, RW});
}

static void test_map_replaces(void **state)
{
	struct guestmem *gm = GM(state);
	uint64_t a = BASE, b = BASE + 2 * PG, c = BASE + 4 * PG, d = BASE + 6 * PG;
	assert_int_equal(gm_map(gm, a, b, PROT_READ), 0);
	assert_int_equal(gm_map(gm, b, c, RW), 0);
	assert_int_equal(gm_map(gm, c, d, PROT_READ), 0);
	EXPECT(gm, {a, b, PROT_READ}, {b, c, RW}, {c, d, PROT_READ});
	/* A new mapping over part of each. */
	assert_int_equal(gm_map(gm, a + PG, d - PG, PROT_EXEC), 0);
	EXPECT(gm, {a, a + PG, PROT_READ}, {a + PG, d - PG, PROT_EXEC}, {d - PG, d, PROT_READ});
	/* Over all of them: one. */
	assert_int_equal(gm_map(gm, a, d, RW), 0);
	EXPECT(gm, {a, d, RW});
	/* Adjacent with the same protection merges, either side. */
	assert_int_equal(gm_map(gm, d, d + PG, RW), 0);
	assert_int_equal(gm_map(gm, a - PG, a, RW), 0);
	EXPECT(gm, {a - PG, d + PG, RW});
	/* A filled hole merges three into one. */
	gm_unmap(gm, b, c);
	EXPECT(gm, {a - PG, b, RW}, {c, d + PG, RW});
	assert_int_equal(gm_map(gm, b, c, RW), 0);
	EXPECT(gm, {a - PG, d + PG, RW});
}

static void test_unmap_middle(void **state)
{
	struct guestmem *gm = GM(state);
	uint64_t a = BASE, b = BASE + 3 * PG, c = BASE + 5 * PG, d = BASE + 9 * PG;
	assert_int_equal(gm_map(gm, a, d, RW), 0);
	uint64_t gb = gm_translate(gm, b);
	assert_int_not_equal(gb, NOPE);
	gm_unmap(gm, b, c);
	EXPECT(gm, {a, b, RW}, {c, d, RW});
	assert_null(gm_find(gm, b));
	assert_null(gm_find(gm, c - 1));
	assert_false(gm_covered(gm, a, d));
	assert_int_equal(gm_check(gm, b - 1, 2, PROT_READ), -EFAULT);
	assert_int_equal(gm_translate(gm, b), NOPE);
	assert_int_equal(gm_translate(gm, c - PG), NOPE);
	assert_int_not_equal(gm_translate(gm, b - PG), NOPE);
	assert_int_not_equal(gm_translate(gm, c), NOPE);
	/* Unmapping what is not mapped, or partly mapped, is fine. */
	gm_unmap(gm, b, c);
	gm_unmap(gm, BASE + 100 * GB, BASE + 100 * GB + PG);
	gm_unmap(gm, c - PG, c + PG);
	EXPECT(gm, {a, b, RW}, {c + PG, d, RW});
	/* Unmapping across everything. */
	gm_unmap(gm, a - PG, d + PG);
	assert_int_equal(gm->nvmas, 0);
	assert_int_equal(gm_translate(gm, a), NOPE);
	assert_int_equal(gm_translate(gm, d - PG), NOPE);
}

static void test_protect_unmapped(void **state)
{
	struct guestmem *gm = GM(state);
	uint64_t a = BASE, d = BASE + 4 * PG;
	assert_int_equal(gm_protect(gm, a, d, PROT_READ), -ENOMEM);
	assert_int_equal(gm->nvmas, 0);
	assert_int_equal(gm_map(gm, a, d, RW), 0);
	assert_int_equal(gm_protect(gm, a, d + PG, PROT_READ), -ENOMEM);
	assert_int_equal(gm_protect(gm, a - PG, d, PROT_READ), -ENOMEM);
	/* A hole in the middle. */
	gm_unmap(gm, a + PG, a + 2 * PG);
	assert_int_equal(gm_protect(gm, a, d, PROT_READ), -ENOMEM);
	/* Nothing changed. */
	EXPECT(gm, {a, a + PG, RW}, {a + 2 * PG, d, RW});
	assert_int_equal(gm_check(gm, a, PG, PROT_WRITE), 0);
	/* The mapped parts alone are fine. */
	assert_int_equal(gm_protect(gm, a + 2 * PG, d, PROT_READ), 0);
	EXPECT(gm, {a, a + PG, RW}, {a + 2 * PG, d, PROT_READ});
}

/* ---- guest-physical addresses ---- */

static void test_translate(void **state)
{
	struct guestmem *gm = GM(state);
	enum { N = 16 };
	uint64_t a = BASE + 0x123000, b = BASE + 7 * GB + 0x5000;
	uint64_t gpa[2 * N];
	assert_int_equal(gm_map(gm, a, a + N * PG, RW), 0);
	assert_int_equal(gm_map(gm, b, b + N * PG, PROT_READ | PROT_EXEC), 0);
	for (int i = 0; i < N; i++) {
		gpa[i] = gm_translate(gm, a + i * PG);
		gpa[N + i] = gm_translate(gm, b + i * PG);
	}
	for (int i = 0; i < 2 * N; i++) {
		assert_int_not_equal(gpa[i], NOPE);
		assert_int_equal(gpa[i] % PG, 0);
		/* Not in the page-table pool, within the physical space. */
		assert_true(gpa[i] >= gm->pt_pages * PG);
		assert_true(gpa[i] < gm->gpa_limit);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(gpa[i], gpa[j]);
	}
	/* Same offset in the page, and in the 2 MiB page. */
	assert_int_equal(gm_translate(gm, a + 0x7ff), gpa[0] + 0x7ff);
	assert_int_equal(gm_translate(gm, a + 3 * PG + 0xfff), gpa[3] + 0xfff);
	assert_int_equal(gpa[0] % (2 * MB), a % (2 * MB));
	assert_int_equal(gpa[N] % (2 * MB), b % (2 * MB));
	/* Pages of one mapping are contiguous in its slot. */
	assert_int_equal(gpa[5] - gpa[0], 5 * PG);
	/* Unmapped: before, after, elsewhere. */
	assert_int_equal(gm_translate(gm, a - PG), NOPE);
	assert_int_equal(gm_translate(gm, a + N * PG), NOPE);
	assert_int_equal(gm_translate(gm, 0), NOPE);
	assert_int_equal(gm_translate(gm, BASE + 300 * GB), NOPE);
	assert_int_equal(gm_translate(gm, 0x7ffffffff000ull), NOPE);
	/* Non-canonical and kernel-half addresses must not crash. */
	assert_int_equal(gm_translate(gm, 0xffff800000000000ull), NOPE);
	assert_int_equal(gm_translate(gm, ~0ull), NOPE);
}

static void test_prot_none_translate(void **state)
{
	struct guestmem *gm = GM(state);
	uint64_t a = BASE;
	assert_int_equal(gm_map(gm, a, a + 4 * PG, PROT_NONE), 0);
	assert_non_null(gm_find(gm, a));
	assert_int_equal(gm_translate(gm, a), NOPE);
	assert_int_equal(gm_translate(gm, a + 3 * PG), NOPE);
	/* A PROT_NONE mapping needs no slot. */
	assert_int_equal(gm->nslots, 0);
	assert_int_equal(gm_protect(gm, a + PG, a + 2 * PG, RW), 0);
	uint64_t g = gm_translate(gm, a + PG);
	assert_int_not_equal(g, NOPE);
	assert_int_equal(gm_translate(gm, a), NOPE);
	assert_int_equal(gm_translate(gm, a + 2 * PG), NOPE);
	/* Back to none and to RW: the same guest-physical page. */
	assert_int_equal(gm_protect(gm, a + PG, a + 2 * PG, PROT_NONE), 0);
	assert_int_equal(gm_translate(gm, a + PG), NOPE);
	assert_int_equal(gm_protect(gm, a + PG, a + 2 * PG, PROT_READ), 0);
	assert_int_equal(gm_translate(gm, a + PG), g);
	/* Mapping a page PROT_NONE over a present one removes it. */
	assert_int_equal(gm_map(gm, a + PG, a + 2 * PG, PROT_NONE), 0);
	assert_int_equal(gm_translate(gm, a + PG), NOPE);
}

static void test_remap_keeps_gpa(void **state)
{
	struct guestmem *gm = GM(state);
	uint64_t a = BASE + 0x40000, n = 8;
	assert_int_equal(gm_map(gm, a, a + n * PG, RW), 0);
	uint64_t g0 = gm_translate(gm, a), g7 = gm_translate(gm, a + 7 * PG);
	size_t slots = gm->nslots;
	assert_true(slots >= 1);
	gm_unmap(gm, a, a + n * PG);
	assert_int_equal(gm_translate(gm, a), NOPE);
	assert_int_equal(gm->nslots, slots); /* slots persist */
	assert_int_equal(gm_map(gm, a, a + n * PG, PROT_READ), 0);
	assert_int_equal(gm_translate(gm, a), g0);
	assert_int_equal(gm_translate(gm, a + 7 * PG), g7);
	assert_int_equal(gm->nslots, slots);
	/* Part of it, with another protection. */
	gm_unmap(gm, a, a + n * PG);
	assert_int_equal(gm_map(gm, a + 2 * PG, a + 3 * PG, PROT_EXEC), 0);
	assert_int_equal(gm_translate(gm, a + 2 * PG), g0 + 2 * PG);
	assert_int_equal(gm->nslots, slots);
	/* A new, disjoint mapping gets new guest-physical memory. */
	uint64_t b = BASE + 3 * GB;
	assert_int_equal(gm_map(gm, b, b + PG, RW), 0);
	uint64_t gb = gm_translate(gm, b);
	assert_true(gb >= g7 + PG || gb + PG <= g0);
	/* No two slots overlap, virtually or physically. */
	for (size_t i = 0; i < gm->nslots; i++) {
		const struct gm_slot *s = &gm->slots[i];
		assert_true(s->start < s->end);
		for (size_t j = 0; j < i; j++) {
			const struct gm_slot *t = &gm->slots[j];
			assert_true(t->end <= s->start || s->end <= t->start);
			assert_true(t->gpa + (t->end - t->start) <= s->gpa ||
				    s->gpa + (s->end - s->start) <= t->gpa);
			assert_int_not_equal(s->id, t->id);
		}
	}
}

static void test_reservation_one_slot(void **state)
{
	/* A big PROT_NONE reservation opened page by page upwards (how malloc
	 * grows a heap) costs one slot, not one per page. */
	struct guestmem *gm = GM(state);
	uint64_t r = BASE + 2 * GB;
	assert_int_equal(gm_map(gm, r, r + 64 * MB, PROT_NONE), 0);
	for (int i = 0; i < 32; i++)
		assert_int_equal(gm_protect(gm, r, r + (uint64_t)(i + 1) * PG, RW), 0);
	assert_int_equal(gm->nslots, 1);
	EXPECT(gm, {r, r + 32 * PG, RW}, {r + 32 * PG, r + 64 * MB, PROT_NONE});
	for (int i = 1; i < 32; i++)
		assert_int_equal(gm_translate(gm, r + i * PG), gm_translate(gm, r) + i * PG);
}

/* ---- running out ---- */

static void test_pt_pages_exhausted(void **state)
{
	(void)state;
	struct guestmem gm;
	/* PML4 + PDPT + PD + PT: exactly one 2 MiB region's worth. */
	assert_int_equal(gm_init(&gm, -1, 4, 100, 46), 0);
	uint64_t a = BASE;
	assert_int_equal(gm_map(&gm, a, a + 2 * PG, RW), 0);
	uint64_t ga = gm_translate(&gm, a);
	assert_int_not_equal(ga, NOPE);
	assert_int_equal(gm.pt_used, 4);
	/* Every other 1 GiB region needs a PD and a PT. */
	for (int i = 1; i < 64; i++) {
		uint64_t v = BASE + (uint64_t)i * GB;
		assert_int_equal(gm_map(&gm, v, v + PG, RW), -ENOMEM);
		assert_null(gm_find(&gm, v));
		assert_int_equal(gm_translate(&gm, v), NOPE);
		assert_int_equal(gm.pt_used, gm.pt_pages);
	}
	/* Other 512 GiB regions need a PDPT as well. */
	assert_int_equal(gm_map(&gm, 0x20000000000ull, 0x20000000000ull + PG, RW), -ENOMEM);
	/* Another 2 MiB region in the same 1 GiB needs a PT. */
	assert_int_equal(gm_map(&gm, a + 2 * MB, a + 2 * MB + PG, PROT_READ), -ENOMEM);
	/* A range crossing into a region without tables fails whole. */
	assert_int_equal(gm_map(&gm, a + 2 * MB - PG, a + 2 * MB + PG, RW), -ENOMEM);
	assert_null(gm_find(&gm, a + 2 * MB - PG));
	assert_int_equal(gm_translate(&gm, a + 2 * MB - PG), NOPE);
	/* PROT_NONE needs no tables. */
	assert_int_equal(gm_map(&gm, a + 5 * GB, a + 5 * GB + PG, PROT_NONE), 0);
	assert_non_null(gm_find(&gm, a + 5 * GB));
	/* An MMIO page in a region without tables fails too. */
	assert_int_equal(gm_map_mmio(&gm, a + 6 * GB, gm.gpa_limit - PG), -ENOMEM);
	/* What was there still is, and the covered region still works. */
	EXPECT(&gm, {a, a + 2 * PG, RW}, {a + 5 * GB, a + 5 * GB + PG, PROT_NONE});
	assert_int_equal(gm_translate(&gm, a), ga);
	assert_int_equal(gm_map(&gm, a + 10 * PG, a + 12 * PG, PROT_READ), 0);
	assert_int_not_equal(gm_translate(&gm, a + 11 * PG), NOPE);
	assert_int_equal(gm_protect(&gm, a, a + 2 * PG, PROT_READ), 0);
	assert_int_equal(gm_translate(&gm, a), ga);
	gm_destroy(&gm);
}

static void test_slots_exhausted(void **state)
{
	(void)state;
	struct guestmem gm;
	/* Slot 0 is the page-table pool: 99 left for the guest. */
	assert_int_equal(gm_init(&gm, -1, 256, 100, 46), 0);
	int ok = 0, r = 0;
	/* Separate pages (a hole between each) need a slot each. */
	for (int i = 0; i < 200 && r == 0; i++) {
		r = gm_map(&gm, BASE + (uint64_t)i * 2 * PG, BASE + (uint64_t)i * 2 * PG + PG, RW);
		ok += r == 0;
	}
	assert_int_equal(r, -ENOMEM);
	assert_int_equal(ok, 99);
	assert_int_equal(gm.nslots, 99);
	uint64_t failed = BASE + 99 * 2 * PG;
	assert_null(gm_find(&gm, failed));
	assert_int_equal(gm_translate(&gm, failed), NOPE);
	assert_int_equal(gm.nvmas, 99);
	/* PROT_NONE needs no slot; making it accessible does. */
	assert_int_equal(gm_map(&gm, failed, failed + PG, PROT_NONE), 0);
	assert_int_equal(gm_protect(&gm, failed, failed + PG, RW), -ENOMEM);
	assert_int_equal(gm_translate(&gm, failed), NOPE);
	/* Memory inside existing slots still maps. */
	gm_unmap(&gm, BASE, BASE + PG);
	assert_int_equal(gm_map(&gm, BASE, BASE + PG, PROT_READ), 0);
	assert_int_not_equal(gm_translate(&gm, BASE), NOPE);
	gm_destroy(&gm);
}

static void test_gpa_exhausted(void **state)
{
	(void)state;
	struct guestmem gm;
	/* 16 MiB of guest-physical space, 64 KiB of it page tables. */
	assert_int_equal(gm_init(&gm, -1, 16, 100, 24), 0);
	assert_int_equal(gm_map(&gm, BASE, BASE + 8 * MB, RW), 0);
	assert_int_equal(gm_map(&gm, BASE + GB, BASE + GB + 8 * MB, RW), -ENOMEM);
	assert_null(gm_find(&gm, BASE + GB));
	assert_int_equal(gm_translate(&gm, BASE + GB), NOPE);
	assert_int_equal(gm_map(&gm, BASE + 2 * GB, BASE + 2 * GB + MB, RW), 0);
	assert_true(gm_translate(&gm, BASE + 2 * GB) < gm.gpa_limit);
	gm_destroy(&gm);
}

/* ---- pages the VMM maps for itself ---- */

static void test_map_mmio(void **state)
{
	struct guestmem *gm = GM(state);
	uint64_t va = BASE + 0x777000, gpa = gm->gpa_limit - PG;
	assert_int_equal(gm_map_mmio(gm, va, gpa), 0);
	assert_int_equal(gm_translate(gm, va), gpa);
	assert_int_equal(gm_translate(gm, va + 0x10), gpa + 0x10);
	/* Not a guest mapping, and no slot. */
	assert_null(gm_find(gm, va));
	assert_int_equal(gm_check(gm, va, 1, PROT_READ), -EFAULT);
	assert_int_equal(gm->nslots, 0);
	assert_int_equal(gm_translate(gm, va + PG), NOPE);
}

static void test_map_sys(void **state)
{
	struct guestmem *gm = GM(state);
	uint64_t va = BASE + 0x999000;
	assert_int_equal(gm_map_sys(gm, va, va + PG, PROT_READ | PROT_EXEC), 0);
	assert_int_not_equal(gm_translate(gm, va), NOPE);
	assert_null(gm_find(gm, va));
	assert_int_equal(gm_check(gm, va, 1, PROT_READ), -EFAULT);
	assert_false(gm_covered(gm, va, va + PG));
}

/* ---- copies through the kernel, on real memory ---- */

static void test_read_write_guest(void **state)
{
	struct guestmem *gm = GM(state);
	uint8_t *m = mmap(NULL, 3 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	uint64_t g = (uint64_t)m;
	assert_int_equal(gm_map(gm, g, g + 3 * PG, RW), 0);

	assert_int_equal(gm_write_guest(g + 100, "hello", 6), 6);
	assert_string_equal((char *)m + 100, "hello");
	char out[16] = {0};
	assert_int_equal(gm_read_guest(out, g + 100, 6), 6);
	assert_string_equal(out, "hello");
	assert_int_equal(gm_read_guest(out, g, 0), 0);

	/* Strings in guest memory. */
	assert_int_equal(gm_check_str(gm, g + 100, 4096), 0);
	memset(m + PG, 'a', PG);
	assert_int_equal(gm_check_str(gm, g + PG, 100), 0); /* max reached */

	/* The third page unmapped: reads stop short there, and fail at it. */
	assert_int_equal(munmap(m + 2 * PG, PG), 0);
	static uint8_t big[2 * 4096];
	assert_int_equal(gm_read_guest(big, g + PG, 2 * PG), PG);
	assert_int_equal(gm_read_guest(big, g + 2 * PG, 1), -EFAULT);
	assert_int_equal(gm_write_guest(g + 2 * PG, "x", 1), -EFAULT);
	/* A string running into it (still in the vma table) is a fault, not
	 * a crash. */
	assert_int_equal(gm_check_str(gm, g + PG, 2 * PG), -EFAULT);

	/* Protections are the host's. */
	assert_int_equal(mprotect(m, PG, PROT_READ), 0);
	assert_int_equal(gm_write_guest(g, "x", 1), -EFAULT);
	assert_int_equal(gm_read_guest(out, g, 1), 1);
	assert_int_equal(mprotect(m, PG, PROT_NONE), 0);
	assert_int_equal(gm_read_guest(out, g, 1), -EFAULT);

	/* Never mapped at all, NULL, and the kernel half. */
	void *u = mmap(NULL, PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(u != MAP_FAILED);
	munmap(u, PG);
	assert_int_equal(gm_read_guest(out, (uint64_t)u, 8), -EFAULT);
	assert_int_equal(gm_write_guest((uint64_t)u, "12345678", 8), -EFAULT);
	assert_int_equal(gm_read_guest(out, 0, 8), -EFAULT);
	assert_int_equal(gm_read_guest(out, 0xffffffff81000000ull, 8), -EFAULT);
	munmap(m, 2 * PG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_map_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_prot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflow_at_top, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_middle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_unmapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_translate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prot_none_translate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remap_keeps_gpa, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reservation_one_slot, setup, teardown),
		cmocka_unit_test(test_pt_pages_exhausted),
		cmocka_unit_test(test_slots_exhausted),
		cmocka_unit_test(test_gpa_exhausted),
		cmocka_unit_test_setup_teardown(test_map_mmio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_sys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_write_guest, setup, teardown),
	};
	return cmocka_run_group_tests_name("guestmem", tests, NULL, NULL);
}
