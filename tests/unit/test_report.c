/* Reports on the test database (rdb_fixture.h): the counts, runs and
 * baseline read back, the CSV rows, JSON that parses, Markdown tables, and
 * Loupe's CSV: its parse errors, its classes, the comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/report.h"
#include "json_check.h"
#include "rdb_fixture.h"

#ifndef HL_SOURCE_DIR
#define HL_SOURCE_DIR "."
#endif

static char path[64];

/* The fixture, its rows (alpha, beta, gamma) and their reports. */
struct fx {
	struct rdb *db;
	struct dbsel_row *rows;
	int n;
	struct report_wl w[3];
};

static int setup(void **state)
{
	static struct fx fx;
	char err[256];
	if (rdb_tmp_path(path, "report") || rdb_fixture(path) || !(fx.db = dbsel_open(path, err, sizeof(err))))
		return -1;
	fx.n = dbsel_rows(fx.db, NULL, 0, &fx.rows, err, sizeof(err));
	if (fx.n != 3)
		return -1;
	for (int i = 0; i < 3; i++)
		if (report_load(fx.db, &fx.rows[i], &fx.w[i]))
			return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	for (int i = 0; i < 3; i++)
		report_wl_free(&fx->w[i]);
	dbsel_free(fx->rows, fx->n);
	rdb_close(fx->db);
	rdb_remove(path);
	return 0;
}

static char *print(const struct report_wl *w, int n, enum out_format fmt, const struct loupe_ref *ref)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(report_print(f, fmt, w, n, ref), 0);
	fclose(f);
	return buf;
}

static int read_loupe(const char *text, struct loupe_ref *ref, char *err, size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	int rc = loupe_read(f, "loupe.csv", ref, err, len);
	fclose(f);
	return rc;
}

/* ---- the database read back ---- */

static void test_load(void **state)
{
	struct fx *fx = *state;
	const struct report_wl *a = &fx->w[0];
	assert_string_equal(a->row->name, "alpha");
	assert_string_equal(a->row->def_hash, "d1");
	assert_int_equal(a->nfeats, 8);
	const int calls[FC__COUNT] = {[FC_UNUSED] = 6, [FC_REQUIRED] = 2, [FC_STUB] = 1, [FC_FAKE] = 1, [FC_BOTH] = 2};
	assert_memory_equal(a->counts[RDB_CALL], calls, sizeof(calls));
	assert_int_equal(a->counts[RDB_SUB][FC_UNUSED], 1);
	assert_int_equal(a->counts[RDB_SUB][FC_STUB], 1);
	assert_int_equal(a->counts[RDB_PATH][FC_FAKE], 1);
	/* Runs: 3 baseline, 1 discovery, 2 stub and 2 fake per feature. */
	assert_int_equal(a->runs[RDB_BASELINE], 3);
	assert_int_equal(a->runs[RDB_DISCOVERY], 1);
	assert_int_equal(a->runs[RDB_STUB], 16);
	assert_int_equal(a->ok[RDB_STUB], 8);
	assert_int_equal(a->ok[RDB_FAKE], 8);
	assert_true(fabs(a->baseline.metric_mean - 110) < 1e-9);
	assert_true(fabs(a->baseline.metric_sd - 10) < 1e-9);
	assert_int_equal(a->nstatic, 8);
	assert_int_equal(a->feats[2].stub.ok, 2); /* openat, stub-only */
	assert_int_equal(a->feats[2].fake.fail, 2);
	const struct report_wl *g = &fx->w[2];
	assert_int_equal(g->nstatic, -1);
	assert_int_equal(g->counts[RDB_CALL][FC_PENDING], 1);
	assert_int_equal(g->runs[RDB_STUB], 0);
	assert_int_equal(g->baseline.runs, 0);
}

/* ---- the four formats ---- */

static void test_text(void **state)
{
	struct fx *fx = *state;
	char *out = print(fx->w, 3, OUT_TEXT, NULL);
	assert_non_null(strstr(out, "== alpha ==\nrow 3, created "));
	assert_non_null(strstr(out, ", campaign done\ndefinition d1, binaries b1\n"
				    "runs: 36 recorded, 20 passed (baseline 3/3, discovery 1/1, stub 8/16, fake 8/16)\n"
				    "baseline metric: 110 \xc2\xb1 10 (3/3 passed)\n\n"
				    "                used  required  stub-only  fake-only  both  flaky  pending\n"
				    "syscalls           6         2          1          1     2      0        0\n"
				    "sub-features       1         0          1          0     0      0        0\n"
				    "pseudo-files       1         0          0          1     0      0        0\n\n"
				    "static vs traced vs required (syscalls): 8 static, 6 traced, 2 required\n"
				    "traced but not found statically (1): clock_gettime\n\n"
				    "syscalls\n"
				    "  required (2): read, write\n"
				    "  stub-only (1): openat\n"
				    "  fake-only (1): futex\n"
				    "  both (2): getrandom, clock_gettime\n\n"
				    "sub-features\n  stub-only (1): ioctl:TCGETS\n\n"
				    "pseudo-files\n  fake-only (1): openat:/proc/self/maps\n\n== beta ==\n"));
	assert_non_null(
		strstr(out, "static vs traced vs required (syscalls): static not analysed, 5 traced, 3 required\n"));
	assert_non_null(strstr(out, "campaign exploring\n"));
	assert_non_null(strstr(out, "  pending (1): mmap\n"));
	/* beta's epoll_wait was made required by the final run's bisection */
	assert_non_null(strstr(out, "  required (3): read, write, epoll_wait*\n"));
	assert_non_null(strstr(out, "\n* avoidable alone, required with the others avoided: corrected by the final "
				    "run's bisection\n"));
	/* and alpha, with nothing corrected, has no such note */
	const char *note = strstr(out, "\n* avoidable alone");
	assert_true(note > strstr(out, "== beta ==\n"));
	assert_non_null(strstr(out, "runs: 0 recorded, 0 passed\nbaseline: no runs\n"));
	free(out);
}

static void test_csv(void **state)
{
	struct fx *fx = *state;
	char *out = print(fx->w, 2, OUT_CSV, NULL);
	assert_string_equal(out, "workload,kind,nr,name,count,class,corrected,stub_ok,stub_runs,fake_ok,fake_runs\n"
				 "alpha,call,0,read,10,required,0,0,2,0,2\n"
				 "alpha,call,1,write,11,required,0,0,2,0,2\n"
				 "alpha,call,257,openat,12,stub,0,2,2,0,2\n"
				 "alpha,call,318,getrandom,13,both,0,2,2,2,2\n"
				 "alpha,call,202,futex,14,fake,0,0,2,2,2\n"
				 "alpha,call,228,clock_gettime,15,both,0,2,2,2,2\n"
				 "alpha,sub,16,ioctl:TCGETS,16,stub,0,2,2,0,2\n"
				 "alpha,path,257,openat:/proc/self/maps,17,fake,0,0,2,2,2\n"
				 "beta,call,0,read,10,required,0,0,0,0,0\n"
				 "beta,call,1,write,11,required,0,0,0,0,0\n"
				 "beta,call,232,epoll_wait,12,required,1,0,0,0,0\n"
				 "beta,call,288,accept4,13,stub,0,0,0,0,0\n"
				 "beta,call,202,futex,14,stub,0,0,0,0,0\n");
	free(out);
}

static void test_json_md(void **state)
{
	struct fx *fx = *state;
	char *out = print(fx->w, 3, OUT_JSON, NULL);
	if (!is_json(out))
		fail_msg("not JSON:\n%s", out);
	assert_non_null(strstr(out, "\"static\": {\"static\": 8, \"traced\": 6, \"required\": 2, "
				    "\"traced_not_static\": [\"clock_gettime\"]}"));
	assert_non_null(strstr(out, "\"static\": {\"static\": null, \"traced\": 5, \"required\": 3, "
				    "\"traced_not_static\": null}"));
	assert_non_null(strstr(out, "\"baseline\": {\"runs\": 3, \"ok\": 3, \"metric_mean\": 110, \"metric_sd\": 10}"));
	assert_non_null(
		strstr(out, "\"baseline\": {\"runs\": 0, \"ok\": 0, \"metric_mean\": null, \"metric_sd\": null}"));
	assert_non_null(strstr(out,
			       "{\"kind\": \"path\", \"nr\": 257, \"name\": \"openat:/proc/self/maps\", \"count\": 17, "
			       "\"class\": \"fake\", \"corrected\": false, \"stub\": {\"ok\": 0, \"runs\": 2}, "
			       "\"fake\": {\"ok\": 2, \"runs\": 2}}"));
	free(out);
	out = print(fx->w, 0, OUT_JSON, NULL);
	assert_true(is_json(out));
	free(out);
	out = print(fx->w, 1, OUT_MD, NULL);
	assert_non_null(strstr(out, "## alpha\n"));
	assert_non_null(strstr(out, "| syscalls | 6 | 2 | 1 | 1 | 2 | 0 | 0 |\n"));
	assert_non_null(strstr(out, "- pseudo-files, fake-only (1): openat:/proc/self/maps\n"));
	assert_non_null(strstr(out, "Static vs traced vs required (syscalls): 8 static, 6 traced, 2 required. Traced but "
				    "not found statically (1): clock_gettime.\n\n"));
	assert_null(strstr(out, "avoidable alone"));
	free(out);
	out = print(fx->w + 1, 1, OUT_MD, NULL);
	assert_non_null(strstr(out, "- syscalls, required (3): read, write, epoll_wait\\*\n"));
	assert_non_null(strstr(out, "\n\\* avoidable alone, required with the others avoided"));
	free(out);
}

/* ---- Loupe's CSV ---- */

static const char loupe_csv[] = "# a comment\n"
				"syscall,used,works_faked,works_stubbed,works_both\n"
				"0,Y,N,N,N\n"	    /* read: required, as ours */
				"1,Y,N,N,Y\r\n"	    /* write: both, ours required */
				"257, Y, N, Y, N\n" /* openat: stub-only, as ours */
				"\n"
				"futex,Y,Y,N,N\n" /* by name: fake-only, as ours */
				"9,Y,N,N,N\n"	  /* mmap: only Loupe's */
				"3,N,N,N,N\n"	  /* close: not used */
				"4,Y,Y,Y,N\n";	  /* stat: each alone works: both */

static void test_loupe_read(void **state)
{
	(void)state;
	struct loupe_ref ref;
	char err[256] = "";
	assert_int_equal(read_loupe(loupe_csv, &ref, err, sizeof(err)), 0);
	assert_int_equal(ref.cls[0], FC_REQUIRED);
	assert_int_equal(ref.cls[1], FC_BOTH);
	assert_int_equal(ref.cls[257], FC_STUB);
	assert_int_equal(ref.cls[202], FC_FAKE);
	assert_int_equal(ref.cls[3], FC_UNUSED);
	assert_int_equal(ref.cls[4], FC_BOTH);
	assert_string_equal(ref.source, "loupe.csv");
}

static void test_loupe_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *err;
	} bad[] = {
		{"0,Y,N,N\n", "loupe.csv:1: 4 fields, expected 5 (syscall,used,works_faked,works_stubbed,works_both)"},
		{"# c\n0,Y,N,N,N\n1,Y,N,N,N,N\n",
		 "loupe.csv:3: 6 fields, expected 5 (syscall,used,works_faked,works_stubbed,"
		 "works_both)"},
		{"0,Y,N,N,N\n1,yes,N,N,N\n", "loupe.csv:2: used: 'yes', expected Y or N"},
		{"0,Y,N,N,\n", "loupe.csv:1: works_both: '', expected Y or N"},
		{"frob,Y,N,N,N\n", "loupe.csv:1: unknown system call 'frob'"},
		{"600,Y,N,N,N\n", "loupe.csv:1: unknown system call '600'"},
		{"0,Y,N,N,N\n0,Y,N,N,Y\n", "loupe.csv:2: system call 0 listed twice"},
		{"3,N,Y,N,N\n", "loupe.csv:1: system call 3 not used but works with it stubbed or faked"},
		/* A header is only allowed first. */
		{"0,Y,N,N,N\nsyscall,used,works_faked,works_stubbed,works_both\n",
		 "loupe.csv:2: unknown system call 'syscall'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct loupe_ref ref;
		char err[256] = "";
		assert_int_equal(read_loupe(bad[i].text, &ref, err, sizeof(err)), -1);
		assert_string_equal(err, bad[i].err);
	}
}

/* The published file in docs/reference/ reads as its header says. */
static void test_loupe_reference(void **state)
{
	(void)state;
	struct loupe_ref ref;
	char err[256] = "";
	FILE *f = fopen(HL_SOURCE_DIR "/docs/reference/loupedb-redis-benchmark.csv", "r");
	assert_non_null(f);
	assert_int_equal(loupe_read(f, "redis", &ref, err, sizeof(err)), 0);
	fclose(f);
	int n[FC__COUNT] = {0}, used = 0;
	for (int nr = 0; nr < SC_TABLE_SIZE; nr++)
		used += ref.cls[nr] != FC_UNUSED, n[ref.cls[nr]]++;
	/* "40 used, 20 required (no column Y), 3 fake-only, 0 stub-only, 17 both" */
	assert_int_equal(used, 40);
	assert_int_equal(n[FC_REQUIRED], 20);
	assert_int_equal(n[FC_FAKE], 3);
	assert_int_equal(n[FC_STUB], 0);
	assert_int_equal(n[FC_BOTH], 17);
}

static void test_compare(void **state)
{
	struct fx *fx = *state;
	struct loupe_ref ref;
	struct report_cmp c;
	char err[256] = "";
	assert_int_equal(read_loupe(loupe_csv, &ref, err, sizeof(err)), 0);
	/* alpha: read, write, openat, futex used by both (write differs);
	 * getrandom, clock_gettime only ours; mmap, stat only Loupe's. */
	report_compare(&fx->w[0], &ref, &c);
	assert_int_equal(c.agree, 3);
	assert_int_equal(c.disagree, 1);
	assert_int_equal(c.only_ours, 2);
	assert_int_equal(c.only_loupe, 2);
	assert_int_equal(c.ours[FC_UNUSED], 6);
	assert_int_equal(c.loupe[FC_UNUSED], 6);
	assert_int_equal(c.loupe[FC_REQUIRED], 2);
	assert_int_equal(c.loupe[FC_BOTH], 2);
	char *out = print(fx->w, 1, OUT_TEXT, &ref);
	assert_non_null(
		strstr(out, "compared with Loupe (loupe.csv), syscalls:\n"
			    "                used  required  stub-only  fake-only  both  flaky  pending  stub or fake\n"
			    "hyperloupe         6         2          1          1     2      0        0         66.7%\n"
			    "Loupe              6         2          1          1     2      -        -         66.7%\n"
			    "used by both 4: 3 agree, 1 disagree; used only here 2, only by Loupe 2\n\n"
			    "   nr  syscall                 hyperloupe  Loupe\n"
			    "    0  read                    required    required\n"
			    "    1  write                   required    both        *\n"
			    "    4  stat                    -           both        *\n"
			    "    9  mmap                    -           required    *\n"));
	free(out);
	out = print(fx->w, 1, OUT_CSV, &ref);
	assert_non_null(strstr(out, ",fake_runs,loupe\nalpha,call,0,read,10,required,0,0,2,0,2,required\n"
				    "alpha,call,1,write,11,required,0,0,2,0,2,both\n"));
	assert_non_null(strstr(out, "alpha,call,318,getrandom,13,both,0,2,2,2,2,unused\n"));
	assert_non_null(strstr(out, "alpha,sub,16,ioctl:TCGETS,16,stub,0,2,2,0,2,\n"));
	assert_non_null(strstr(out, "alpha,call,4,stat,0,unused,,0,0,0,0,both\n"
				    "alpha,call,9,mmap,0,unused,,0,0,0,0,required\n"));
	free(out);
	out = print(fx->w, 2, OUT_JSON, &ref);
	if (!is_json(out))
		fail_msg("not JSON:\n%s", out);
	assert_non_null(strstr(out, "\"agree\": 3, \"disagree\": 1, \"only_ours\": 2, \"only_loupe\": 2"));
	free(out);
	out = print(fx->w, 1, OUT_MD, &ref);
	assert_non_null(strstr(out, "| 1 | write | required | both | differs |\n"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_json_md),
		cmocka_unit_test(test_loupe_read),
		cmocka_unit_test(test_loupe_errors),
		cmocka_unit_test(test_loupe_reference),
		cmocka_unit_test(test_compare),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
