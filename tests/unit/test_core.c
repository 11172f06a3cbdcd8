/* The freestanding core on its own: the decision table, sub-feature keys,
 * the initial stack, the number and string helpers.  Tables are built by
 * hand here, as the monitor receives them, with no policy parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/lib.h"
#include "core/stack.h"
#include "core/table.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

/* A table with n rules; the caller fills them and the per-call part. */
static struct core_table *table(uint32_t nrules, const char *pattern)
{
	size_t size = sizeof(struct core_table) + nrules * sizeof(struct core_rule) + 64;
	struct core_table *t = calloc(1, size);
	t->magic = CORE_TABLE_MAGIC, t->size = (uint32_t)size, t->nrules = nrules, t->any_rule = 1;
	for (int nr = 0; nr < CORE_NCALLS; nr++)
		t->call[nr].key_arg = t->call[nr].path_arg = -1;
	strcpy((char *)t + size - 64, pattern);
	return t;
}

static void test_decide(void **state)
{
	(void)state;
	struct core_table *t = table(2, "/proc/*/maps");
	uint32_t pat = t->size - 64;
	t->call[16].key_arg = 1, t->call[16].narrowed = CN_SUB;           /* ioctl */
	t->call[257].path_arg = 1, t->call[257].narrowed = CN_PATH;       /* openat */
	t->call[318].action = CA_STUB, t->call[318].err = 38;             /* getrandom */
	t->rules[0] = (struct core_rule){.nr = 16, .match = CM_SUB, .action = CA_FAKE, .sub = 0x5401};
	t->rules[1] = (struct core_rule){.nr = 257, .match = CM_PATH, .action = CA_STUB, .err = 2, .pattern = pat};
	assert_true(core_table_valid(t, t->size));
	long tcgets[6] = {1, 0xffffffff00005401}, other[6] = {1, 0x5402}, none[6] = {0};
	assert_int_equal(core_decide(t, 16, tcgets, NULL, NULL).action, CA_FAKE); /* the low half only */
	assert_int_equal(core_decide(t, 16, other, NULL, NULL).action, CA_FORWARD);
	struct core_decision d = core_decide(t, 257, none, "/proc/12/maps", NULL);
	assert_int_equal(d.action, CA_STUB);
	assert_int_equal(d.err, 2);
	assert_int_equal(core_decide(t, 257, none, "/etc/passwd", "/proc/self/maps").action, CA_STUB); /* alias */
	d = core_decide(t, 318, none, NULL, NULL);
	assert_int_equal(d.action, CA_STUB);
	assert_int_equal(d.err, 38);
	assert_int_equal(core_decide(t, 9999, none, NULL, NULL).action, CA_FORWARD);
	assert_false(core_table_valid(t, t->size - 1)); /* shorter than it says */
	t->rules[1].pattern = 8;                        /* a pattern inside the header */
	assert_false(core_table_valid(t, t->size));
	t->rules[1].pattern = pat;
	((char *)t)[t->size - 1] = 'x';                 /* strings not terminated */
	assert_false(core_table_valid(t, t->size));
	free(t);
}

static void test_keys(void **state)
{
	(void)state;
	struct core_table *t = table(0, "");
	long a[6] = {0, 0, 0, 0x22, 0, 0};
	uint64_t key;
	t->call[9].key_arg = 3, t->call[9].key_form = CK_MMAP;
	assert_true(core_key(t, 9, a, &key));
	assert_int_equal(key, 1); /* MAP_ANONYMOUS */
	t->call[228].key_arg = 0, t->call[228].key_form = CK_S32;
	a[0] = 0xfffffffe;
	assert_true(core_key(t, 228, a, &key));
	assert_int_equal((int64_t)key, -2);
	assert_false(core_key(t, 0, a, &key));
	free(t);
}

static void test_stack(void **state)
{
	(void)state;
	static uint64_t mem[8192];
	char *argv[] = {"prog", "a b", NULL}, *envp[] = {"X=1", NULL};
	uint64_t auxv[] = {AT_PAGESZ, 4096, AT_EXECFN, 0, AT_RANDOM, 0, AT_NULL, 0};
	uint8_t rnd[16] = {1, 2, 3};
	struct stack_in in = {2, argv, envp, "/bin/prog", "x86_64", rnd, auxv};
	struct stack_out out;
	uint64_t top = (uint64_t)(mem + 8192), lo = (uint64_t)mem;
	assert_int_equal(stack_build(top, lo, &in, &out), 0);
	uint64_t *sp = (uint64_t *)out.sp;
	assert_int_equal(out.sp % 16, 0);
	assert_int_equal(sp[0], 2);
	assert_string_equal((char *)sp[1], "prog");
	assert_string_equal((char *)sp[2], "a b");
	assert_int_equal(sp[3], 0);
	assert_string_equal((char *)sp[4], "X=1");
	assert_int_equal(sp[5], 0);
	assert_int_equal(sp[6], AT_PAGESZ);
	assert_string_equal((char *)sp[9], "/bin/prog"); /* AT_EXECFN points at its copy */
	assert_memory_equal((void *)sp[11], rnd, 16);
	assert_int_equal(out.auxv_words, 8);
	assert_memory_equal((char *)out.arg_start, "prog\0a b\0", 9);
	assert_int_equal(stack_build(top, top - 64, &in, &out), -7); /* -E2BIG */
}

static void test_numbers(void **state)
{
	(void)state;
	double v;
	char buf[24];
	assert_true(hl_parse_double(" 1234.5", &v) && v == 1234.5);
	assert_true(hl_parse_double("-3", &v) && v == -3);
	assert_true(hl_parse_double("1e6", &v) && v == 1e6);
	assert_true(hl_parse_double("0.1", &v) && v == 0.1);
	assert_false(hl_parse_double("fast", &v));
	assert_false(hl_parse_double("1e", &v));
	assert_false(hl_parse_double("1e999", &v)); /* not finite */
	assert_false(hl_parse_double("", &v));
	assert_int_equal(hl_utoa(buf, 0), 1);
	assert_string_equal(buf, "0");
	hl_utoa(buf, UINT64_MAX);
	assert_string_equal(buf, "18446744073709551615");
	assert_int_equal(hl_strlcpy(buf, "abcdef", 4), 3);
	assert_string_equal(buf, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_stack),
		cmocka_unit_test(test_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
