/* Verdicts, bisection and support plans on small hand-made data sets
 * whose answers are worked out in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/classify.h"
#include "analysis/plan.h"
#include "plan_fixture.h"

static struct replicas r(int ok, int fail)
{
	return (struct replicas){ok, fail, 3};
}

static void test_classify(void **state)
{
	(void)state;
	assert_int_equal(classify(r(3, 0), r(3, 0)), FC_BOTH);
	assert_int_equal(classify(r(3, 0), r(0, 3)), FC_STUB);
	assert_int_equal(classify(r(0, 3), r(3, 0)), FC_FAKE);
	assert_int_equal(classify(r(0, 3), r(0, 3)), FC_REQUIRED);
	/* Disagreeing replicas are never turned into "required"... */
	assert_int_equal(classify(r(2, 1), r(0, 3)), FC_FLAKY);
	assert_int_equal(classify(r(1, 2), r(2, 1)), FC_FLAKY);
	/* ...but a side that always passes decides. */
	assert_int_equal(classify(r(2, 1), r(3, 0)), FC_FAKE);
	assert_int_equal(classify(r(3, 0), r(1, 2)), FC_STUB);
	/* Runs still to come. */
	assert_int_equal(classify(r(3, 0), r(1, 0)), FC_PENDING);
	assert_int_equal(classify(r(0, 2), r(0, 3)), FC_PENDING);
	assert_int_equal(classify(r(0, 0), r(0, 0)), FC_PENDING);
	assert_int_equal(classify(r(0, 2), r(3, 0)), FC_FAKE);
	assert_string_equal(feat_class_name(FC_REQUIRED), "required");
	assert_string_equal(feat_class_name(FC_BOTH), "both");
}

/* The run fails when 13 is applied, or 11 and 16 together. */
static bool oracle(const int *items, int n, void *arg)
{
	int *calls = arg;
	bool has11 = false, has16 = false;
	++*calls;
	for (int i = 0; i < n; i++) {
		if (items[i] == 13)
			return false;
		has11 |= items[i] == 11;
		has16 |= items[i] == 16;
	}
	return !(has11 && has16);
}

static bool broken(const int *items, int n, void *arg)
{
	(void)items, (void)n, (void)arg;
	return false;
}

static void test_bisect(void **state)
{
	(void)state;
	const int items[] = {10, 11, 12, 13, 14, 15, 16, 17};
	int culprits[8], runs, calls = 0;
	/* 13 first (the shortest failing prefix ends with it); without it,
	 * the prefix ending with 16 fails: 16, the later of the pair. */
	assert_int_equal(bisect_culprits(items, 8, oracle, &calls, culprits, &runs), 2);
	assert_int_equal(culprits[0], 13);
	assert_int_equal(culprits[1], 16);
	assert_int_equal(runs, calls);
	assert_true(runs <= 3 * (3 + 2));
	const int fine[] = {10, 11, 12};
	calls = 0;
	assert_int_equal(bisect_culprits(fine, 3, oracle, &calls, culprits, &runs), 0);
	assert_int_equal(runs, 2); /* nothing applied, then everything */
	assert_int_equal(bisect_culprits(items, 0, oracle, &calls, culprits, &runs), 0);
	assert_int_equal(bisect_culprits(items, 8, broken, NULL, culprits, &runs), -1);
}

static void assert_set(const struct scset *s, const int *want, int n)
{
	assert_int_equal(scset_count(s), n);
	for (int i = 0; i < n; i++)
		assert_true(scset_has(s, want[i]));
}

/* The order on plan_fixture.h's data set. */
static void test_plan(void **state)
{
	(void)state;
	struct plan_app apps[4];
	struct scset os;
	struct plan_step steps[5];
	plan_dataset(apps, &os);
	assert_int_equal(plan_build(apps, 4, &os, steps, NULL), 4);
	assert_int_equal(steps[0].app, -1);
	assert_int_equal(steps[0].supported, 1);
	assert_int_equal(steps[1].app, 0);
	assert_set(&steps[1].implement, NULL, 0);
	assert_set(&steps[1].stub, (const int[]){3, 6, 7}, 3);
	assert_int_equal(steps[1].supported, 2);
	assert_int_equal(steps[2].app, 1);
	assert_set(&steps[2].implement, (const int[]){3, 4}, 2);
	assert_set(&steps[2].fake, NULL, 0);
	assert_int_equal(steps[2].supported, 3); /* a still runs: 3 is real now */
	assert_int_equal(steps[3].app, 2);
	assert_set(&steps[3].implement, (const int[]){5}, 1);
	assert_int_equal(steps[3].implemented, 3);
	assert_int_equal(steps[3].supported, 4);
}

static void test_plan_naive(void **state)
{
	(void)state;
	struct plan_app apps[4];
	struct scset os;
	struct plan_step steps[5];
	plan_dataset(apps, &os);
	assert_int_equal(plan_naive(apps, 4, &os, steps, NULL), 4);
	assert_int_equal(steps[0].supported, 1);
	assert_int_equal(steps[1].app, 1);
	assert_int_equal(steps[1].implemented, 2);
	assert_int_equal(steps[2].app, 2);
	assert_int_equal(steps[2].implemented, 3);
	assert_int_equal(steps[3].app, 0);
	assert_int_equal(steps[3].implemented, 5);
	/* Loupe's order reaches 2 applications with 0 calls implemented,
	 * the naive one needs 2 for its first. */
	assert_int_equal(steps[3].supported, 4);
}

static void test_plan_empty(void **state)
{
	(void)state;
	struct scset os;
	struct plan_step steps[1];
	memset(&os, 0, sizeof(os));
	assert_int_equal(plan_build(NULL, 0, &os, steps, NULL), 1);
	assert_int_equal(steps[0].supported, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),   cmocka_unit_test(test_bisect),
		cmocka_unit_test(test_plan),       cmocka_unit_test(test_plan_naive),
		cmocka_unit_test(test_plan_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
