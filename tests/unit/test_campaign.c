/* The explore campaign's decisions: a run's verdict against the baseline
 * and tolerances, the final run's action per verdict, tolerance syntax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "analysis/campaign.h"

static const struct tolerance unchecked = {-1, -1, -1, false};

static struct run_outcome passed(void)
{
	return (struct run_outcome){.status = 0, .has_metric = true, .metric = 100, .peak_rss_kb = 1000, .fds = 10};
}

static void verdict(const struct run_outcome *o, const struct baseline *b, const struct tolerance *t, bool want,
		    const char *why)
{
	char reason[160];
	bool ok = run_verdict(o, b, t, reason, sizeof(reason));
	if (ok != want || (why && !strstr(reason, why)))
		fail_msg("verdict %d (%s), wanted %d (%s)", ok, reason, want, why ? why : "");
}

static void test_failures(void **state)
{
	(void)state;
	struct baseline b = {WL_METRIC_NONE, NAN, NAN, NAN};
	struct run_outcome o = passed();
	verdict(&o, &b, &unchecked, true, NULL);
	o.status = 1;
	verdict(&o, &b, &unchecked, false, "exit status 1");
	o = passed();
	o.timed_out = true;
	o.status = 143;
	verdict(&o, &b, &unchecked, false, "timed out");
	/* The test passed, but a worker crashed (nginx's master restarts it). */
	o = passed();
	o.crash_signal = 11;
	verdict(&o, &b, &unchecked, false, "signal 11");
	/* Passed, but only because exit took over from a stubbed exit_group. */
	o = passed();
	o.new_calls = "exit";
	verdict(&o, &b, &unchecked, false, "never made: exit");
	struct tolerance loupe = unchecked;
	loupe.allow_new_calls = true;
	verdict(&o, &b, &loupe, true, NULL);
	o.new_calls = "";
	verdict(&o, &b, &unchecked, true, NULL);
}

static void test_tolerances(void **state)
{
	(void)state;
	struct baseline b = {WL_METRIC_HIGHER, 100, 1000, 10};
	struct tolerance t = {0.1, 0.2, 0.5, false};
	struct run_outcome o = passed();
	o.metric = 91;
	verdict(&o, &b, &t, true, NULL);
	o.metric = 89;
	verdict(&o, &b, &t, false, "metric 89");
	verdict(&o, &b, &unchecked, true, NULL); /* not asked for: not checked */
	o.metric = 500;                          /* better is never a failure */
	verdict(&o, &b, &t, true, NULL);
	b.goal = WL_METRIC_LOWER;                /* latency: higher is worse */
	verdict(&o, &b, &t, false, "metric 500");
	o.metric = 50;
	verdict(&o, &b, &t, true, NULL);
	o.peak_rss_kb = 1201;
	verdict(&o, &b, &t, false, "peak RSS");
	o.peak_rss_kb = 1200;
	o.fds = 16; /* 10 * 1.5 + 1 */
	verdict(&o, &b, &t, true, NULL);
	o.fds = 17;
	verdict(&o, &b, &t, false, "17 fds");
	o = passed();
	o.has_metric = false;
	o.metric = NAN;
	verdict(&o, &b, &t, false, "no metric");
	o.peak_rss_kb = -1; /* unknown figures are not failures */
	o.has_metric = true;
	o.metric = 100;
	o.fds = -1;
	verdict(&o, &b, &t, true, NULL);
}

static void test_final_action(void **state)
{
	(void)state;
	assert_int_equal(final_action(FC_STUB), 's');
	assert_int_equal(final_action(FC_BOTH), 's');
	assert_int_equal(final_action(FC_FAKE), 'f');
	assert_int_equal(final_action(FC_REQUIRED), 0);
	assert_int_equal(final_action(FC_FLAKY), 0);
	assert_int_equal(final_action(FC_PENDING), 0);
}

static void test_parse_tolerance(void **state)
{
	(void)state;
	assert_float_equal(parse_tolerance("10%"), 0.1, 1e-12);
	assert_float_equal(parse_tolerance("0.25"), 0.25, 1e-12);
	assert_float_equal(parse_tolerance("0"), 0, 1e-12);
	assert_true(parse_tolerance("ten") < 0);
	assert_true(parse_tolerance("10%%") < 0);
	assert_true(parse_tolerance("-5%") < 0);
	assert_true(parse_tolerance("") < 0);
	assert_true(parse_tolerance("nan") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_tolerances),
		cmocka_unit_test(test_final_action),
		cmocka_unit_test(test_parse_tolerance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
