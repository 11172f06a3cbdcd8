/* The guest agent's area (vmm/agent.h): hypercall ops and their checks,
 * phases and the recording flag of `--phase`, metrics, and the JSON keys
 * it adds to the report (escaped names, valid JSON). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "json_check.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "vmm/agent.h"
#include "analysis/runstats.h"



static struct agent_area *new_area(const char *filter)
{
	struct agent_area *a = malloc(sizeof(*a));
	assert_non_null(a);
	agent_init(a, filter);
	return a;
}

/* agent_write_json's keys, inside an object, and whether that is JSON. */
static char *json_of(const struct agent_area *a)
{
	struct {
		char *buf;
		size_t len;
	} *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	FILE *f = open_memstream(&m->buf, &m->len);
	assert_non_null(f);
	fputs("{\n", f);
	agent_write_json(a, f);
	fputs("  \"end\": 0\n}\n", f);
	assert_int_equal(fclose(f), 0);
	char *out = m->buf;
	free(m);
	assert_true(is_json(out));
	return out;
}

static void test_ops(void **state)
{
	(void)state;
	struct agent_area *a = new_area(NULL);
	assert_true(agent_recording(a));
	assert_int_equal(agent_apply(a, HL_HC_PROBE, 0, NULL, NULL), HL_HC_MAGIC);
	assert_int_equal(agent_apply(NULL, HL_HC_PROBE, 0, NULL, NULL), HL_HC_MAGIC);
	assert_int_equal(agent_apply(a, 99, 0, NULL, NULL), -EINVAL);
	assert_int_equal(agent_apply(a, -1, 0, NULL, NULL), -EINVAL);
	assert_int_equal(agent_apply(a, HL_HC_STARTED, 42, NULL, NULL), 0);
	assert_int_equal(agent_apply(a, HL_HC_READY, 0, NULL, NULL), 0);
	assert_int_equal(agent_apply(a, HL_HC_EXITED, SIGKILL, NULL, NULL), 0); /* killed */
	assert_int_equal(a->events, AGENT_STARTED | AGENT_READY | AGENT_EXITED);
	assert_int_equal(a->started_pid, 42);
	assert_true(a->started_ns <= a->ready_ns && a->ready_ns <= a->exited_ns);
	char *j = json_of(a);
	assert_non_null(strstr(j, "\"started\": {\"pid\": 42, "));
	assert_non_null(strstr(j, "\"exited\": {\"exit_status\": 137, \"term_signal\": 9, \"wait_status\": 9, "));
	free(j);
	assert_int_equal(agent_apply(a, HL_HC_EXITED, 3 << 8, NULL, NULL), 0); /* exit(3) */
	j = json_of(a);
	assert_non_null(strstr(j, "\"exited\": {\"exit_status\": 3, \"term_signal\": 0, \"wait_status\": 768, "));
	free(j);
	free(a);
}

static void test_bad_strings(void **state)
{
	(void)state;
	struct agent_area *a = new_area(NULL);
	char longname[HL_HC_NAME_MAX + 2];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(agent_apply(a, HL_HC_MARK, 0, "", NULL), -EINVAL);
	assert_int_equal(agent_apply(a, HL_HC_MARK, 0, NULL, NULL), -EINVAL);
	assert_int_equal(agent_apply(a, HL_HC_MARK, 0, longname, NULL), -EINVAL);
	longname[HL_HC_NAME_MAX] = '\0'; /* 63 bytes: the longest */
	assert_int_equal(agent_apply(a, HL_HC_MARK, 0, longname, NULL), 0);
	static const char *const bad[] = {"", "abc", "1x", "1.5 ", "inf", "-inf", "nan", "1e999", "0x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(agent_apply(a, HL_HC_METRIC, 0, "m", bad[i]), -EINVAL);
	assert_int_equal(agent_apply(a, HL_HC_METRIC, 0, "m", NULL), -EINVAL);
	assert_int_equal(agent_apply(a, HL_HC_METRIC, 0, "", "1"), -EINVAL);
	assert_int_equal(a->nmetrics, 0);
	assert_int_equal(agent_apply(a, HL_HC_METRIC, 0, "m", " -2.5e3"), 0);
	assert_int_equal(a->nmetrics, 1);
	assert_true(a->metrics[0].value == -2500.0);
	/* Checked without an area too (no run statistics). */
	assert_int_equal(agent_apply(NULL, HL_HC_METRIC, 0, "m", "x"), -EINVAL);
	assert_int_equal(agent_apply(NULL, HL_HC_METRIC, 0, "m", "1"), 0);
	free(a);
}

/* --phase measure: recording only between a mark of measure and the next
 * mark of anything else. */
static void test_phase_filter(void **state)
{
	(void)state;
	struct agent_area *a = new_area("measure");
	assert_false(agent_recording(a));
	agent_apply(a, HL_HC_MARK, 0, "warmup", NULL);
	assert_false(agent_recording(a));
	agent_apply(a, HL_HC_MARK, 0, "measure", NULL);
	assert_true(agent_recording(a));
	agent_apply(a, HL_HC_MARK, 0, "measure", NULL);
	assert_true(agent_recording(a));
	agent_apply(a, HL_HC_MARK, 0, "cooldown", NULL);
	assert_false(agent_recording(a));
	agent_apply(a, HL_HC_MARK, 0, "measure", NULL);
	assert_true(agent_recording(a));
	assert_string_equal(a->phase, "measure");
	assert_int_equal(a->nmarks, 5);
	char *j = json_of(a);
	assert_non_null(strstr(j, "\"phase_filter\": \"measure\", \"phase\": \"measure\", \"recording\": true"));
	free(j);
	free(a);
	/* No filter: always recording, marks or not. */
	a = new_area("");
	assert_true(agent_recording(a));
	agent_apply(a, HL_HC_MARK, 0, "warmup", NULL);
	assert_true(agent_recording(a));
	j = json_of(a);
	assert_non_null(strstr(j, "\"phase_filter\": null, \"phase\": \"warmup\""));
	free(j);
	free(a);
}

static void test_limits(void **state)
{
	(void)state;
	struct agent_area *a = new_area("p69");
	char name[16];
	for (int i = 0; i < HL_HC_MAX_MARKS + 6; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		assert_int_equal(agent_apply(a, HL_HC_MARK, 0, name, NULL), 0);
	}
	assert_int_equal(a->nmarks, HL_HC_MAX_MARKS);
	assert_int_equal(a->marks_dropped, 6);
	/* a dropped mark still switches the phase */
	assert_string_equal(a->phase, "p69");
	assert_true(agent_recording(a));
	for (int i = 0; i < HL_HC_MAX_METRICS; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		assert_int_equal(agent_apply(a, HL_HC_METRIC, 0, name, "1"), 0);
	}
	assert_int_equal(agent_apply(a, HL_HC_METRIC, 0, "one-more", "1"), -ENOSPC);
	/* a known name still takes a new value */
	assert_int_equal(agent_apply(a, HL_HC_METRIC, 0, "m7", "7.25"), 0);
	assert_true(a->metrics[7].value == 7.25);
	char *j = json_of(a);
	assert_non_null(strstr(j, "\"marks_dropped\": 6}"));
	assert_non_null(strstr(j, "\"m7\": 7.25,"));
	assert_null(strstr(j, "one-more"));
	free(j);
	free(a);
}

/* Names are any bytes: escaped, and never invalid UTF-8 in the report. */
static void test_json_escaping(void **state)
{
	(void)state;
	struct agent_area *a = new_area(NULL);
	assert_int_equal(agent_apply(a, HL_HC_MARK, 0, "a\"b\\c\n\x01", NULL), 0);
	assert_int_equal(agent_apply(a, HL_HC_MARK, 0, "caf\xc3\xa9 \xff\xc3", NULL), 0);
	assert_int_equal(agent_apply(a, HL_HC_METRIC, 0, "tab\there", "0.1"), 0);
	assert_int_equal(agent_apply(a, HL_HC_METRIC, 0, "requests_per_s", "1234.5"), 0);
	assert_int_equal(agent_apply(a, HL_HC_METRIC, 0, "big", "1e300"), 0);
	assert_int_equal(agent_apply(a, HL_HC_METRIC, 0, "third", "0.3333333333333333"), 0);
	char *j = json_of(a);
	assert_non_null(strstr(j, "{\"name\": \"a\\\"b\\\\c\\u000a\\u0001\", \"t_ns\": "));
	assert_non_null(strstr(j, "{\"name\": \"caf\xc3\xa9 \\u00ff\\u00c3\", \"t_ns\": "));
	assert_non_null(strstr(j, "\"tab\\u0009here\": 0.1,"));
	assert_non_null(strstr(j, "\"requests_per_s\": 1234.5,"));
	assert_non_null(strstr(j, "\"big\": 1e+300,"));
	assert_non_null(strstr(j, "\"third\": 0.3333333333333333\n"));
	free(j);
	free(a);
}

/* A fresh area: the keys are there, empty. */
static void test_json_empty(void **state)
{
	(void)state;
	struct agent_area *a = new_area(NULL);
	char *j = json_of(a);
	assert_string_equal(j, "{\n"
			       "  \"agent\": {\"phase_filter\": null, \"phase\": null, \"recording\": true,\n"
			       "    \"started\": null, \"ready\": null,\n"
			       "    \"exited\": null,\n"
			       "    \"marks_dropped\": 0},\n"
			       "  \"phases\": [],\n"
			       "  \"metrics\": {},\n"
			       "  \"end\": 0\n}\n");
	free(j);
	free(a);
}

/* The whole report, with the agent's keys in it, is JSON. */
static void test_in_report(void **state)
{
	(void)state;
	int fd;
	struct run_stats *r = stats_run_create(&fd);
	assert_non_null(r);
	assert_true(agent_recording(&r->agent));
	stats_run_set_phase(r, "measure");
	assert_false(agent_recording(&r->agent));
	agent_apply(&r->agent, HL_HC_STARTED, 7, NULL, NULL);
	agent_apply(&r->agent, HL_HC_MARK, 0, "measure", NULL);
	agent_apply(&r->agent, HL_HC_METRIC, 0, "rps", "10");
	char *const argv[] = {"hl-agent", "run", "--", "true"};
	struct stats *s = stats_proc_new(r, 7, 1, "/bin/true", 4, argv);
	assert_non_null(s);
	stats_proc_end(s, STATS_EXITED, 0, 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct run_info ri = {.program = "hl-agent", .argc = 4, .argv = argv};
	assert_int_equal(stats_write_json(r, NULL, &ri, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_true(is_json(buf));
	assert_non_null(strstr(buf, "\n  \"agent\": {\"phase_filter\": \"measure\", \"phase\": \"measure\", \"recording\": true"));
	assert_non_null(strstr(buf, "\n  \"metrics\": {\n    \"rps\": 10\n  },\n"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_bad_strings),
		cmocka_unit_test(test_phase_filter),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_in_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
