/* Support plans in and out: the OS list and its errors, the plan as text,
 * CSV, Markdown and JSON, the curves, and the applications read from a
 * results database (rdb_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/dbsel.h"
#include "analysis/plan_out.h"
#include "json_check.h"
#include "plan_fixture.h"
#include "rdb_fixture.h"

/* ---- helpers ---- */

static FILE *text_file(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	return f;
}

static int read_os(const char *text, struct scset *os, char *err, size_t len)
{
	FILE *f = *text ? text_file(text) : fopen("/dev/null", "r");
	assert_non_null(f);
	int rc = plan_read_os(f, "os.txt", os, err, len);
	fclose(f);
	return rc;
}

/* What fn writes for plan_fixture.h's data set, malloc'd. */
static char *output(int (*fn)(FILE *, const struct plan_result *), int fmt)
{
	struct plan_app apps[4];
	struct scset os;
	struct plan_result r;
	char *buf = NULL;
	size_t len = 0;
	plan_dataset(apps, &os);
	assert_int_equal(plan_compute(apps, 4, &os, &r), 0);
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(fn ? fn(f, &r) : plan_print(f, (enum out_format)fmt, &r), 0);
	fclose(f);
	plan_result_free(&r);
	return buf;
}

/* ---- the OS list ---- */

static void test_read_os(void **state)
{
	(void)state;
	struct scset os;
	char err[256] = "";
	assert_int_equal(
		read_os("# my OS\nread\n\n  write   # the second\n60\r\nmmap, munmap\tbrk\n", &os, err, sizeof(err)),
		0);
	assert_int_equal(scset_count(&os), 6);
	assert_true(scset_has(&os, 0) && scset_has(&os, 1) && scset_has(&os, 60));
	assert_true(scset_has(&os, 9) && scset_has(&os, 11) && scset_has(&os, 12));
	assert_int_equal(read_os("", &os, err, sizeof(err)), 0);
	assert_int_equal(scset_count(&os), 0);
	assert_int_equal(read_os("# nothing\n\n", &os, err, sizeof(err)), 0);
	assert_int_equal(scset_count(&os), 0);
}

static void test_read_os_errors(void **state)
{
	(void)state;
	struct scset os;
	char err[256] = "";
	assert_int_equal(read_os("read\nwrite\nfrobnicate\n", &os, err, sizeof(err)), -1);
	assert_string_equal(err, "os.txt:3: unknown system call 'frobnicate'");
	assert_int_equal(read_os("# x\n400\n", &os, err, sizeof(err)), -1); /* unassigned */
	assert_string_equal(err, "os.txt:2: unknown system call '400'");
	assert_int_equal(read_os("read writ\n", &os, err, sizeof(err)), -1);
	assert_string_equal(err, "os.txt:1: unknown system call 'writ'");
	assert_int_equal(read_os("12abc\n", &os, err, sizeof(err)), -1);
	assert_string_equal(err, "os.txt:1: unknown system call '12abc'");
}

/* ---- the plan ---- */

static void test_text(void **state)
{
	(void)state;
	char *out = output(NULL, OUT_TEXT);
	assert_string_equal(out,
			    "OS: 3 system calls; 4 applications, 1 of them run already: d\n"
			    "\n"
			    "step  impl  apps  application   to do\n"
			    "   0     0     1  (1 app)       -\n"
			    "   1     0     2  + a           stub close, lstat, poll\n"
			    "   2     2     3  + b           implement close, stat\n"
			    "   3     3     4  + c           implement fstat\n"
			    "\n"
			    "Loupe's order: 3 system calls implemented, 2 stubbed and 0 faked: 4 of 4 applications\n"
			    "implementing everything traced: 5 system calls for 4 applications\n");
	free(out);
}

static void test_csv(void **state)
{
	(void)state;
	char *out = output(NULL, OUT_CSV);
	assert_string_equal(out, "step,unlocks,implement,stub,fake,implemented,supported\n"
				 "0,d,,,,0,1\n"
				 "1,a,,close lstat poll,,0,2\n"
				 "2,b,close stat,,,2,3\n"
				 "3,c,fstat,,,3,4\n");
	free(out);
}

static void test_md_json(void **state)
{
	(void)state;
	char *out = output(NULL, OUT_MD);
	assert_non_null(strstr(out, "| step | support for | implement | stub | fake | implemented | apps |\n"));
	assert_non_null(strstr(out, "| 0 | (1 app) | - | - | - | 0 | 1 |\n"));
	assert_non_null(strstr(out, "| 1 | + a | - | close, lstat, poll | - | 0 | 2 |\n"));
	assert_non_null(strstr(out, "| 3 | + c | fstat | - | - | 3 | 4 |\n"));
	free(out);
	out = output(NULL, OUT_JSON);
	if (!is_json(out))
		fail_msg("not JSON:\n%s", out);
	assert_non_null(strstr(out, "\"os\": {\"count\": 3, \"syscalls\": [\"read\", \"write\", \"open\"]}"));
	assert_non_null(strstr(out, "{\"step\": 2, \"unlocks\": [\"b\"], \"implement\": [\"close\", \"stat\"], "
				    "\"stub\": [], \"fake\": [], \"implemented\": 2, \"supported\": 3}"));
	/* The naive order: b first, a last with 5 calls implemented. */
	assert_non_null(strstr(out, "{\"step\": 1, \"unlocks\": [\"b\"], \"implement\": [\"close\", \"stat\"]"));
	assert_non_null(strstr(out, "\"unlocks\": [\"a\"], \"implement\": [\"lstat\", \"poll\"], \"stub\": [], "
				    "\"fake\": [], \"implemented\": 5, \"supported\": 4}"));
	assert_non_null(strstr(out, "\"stubbed\": [\"lstat\", \"poll\"], \"faked\": []"));
	free(out);
}

static void test_curves(void **state)
{
	(void)state;
	char *out = output(plan_curve_csv, 0);
	/* Loupe: 2 apps with nothing implemented, 3 at 2 calls, 4 at 3; naive:
	 * 1, then 2 at 2, 3 at 3, 4 at 5. */
	assert_string_equal(out, "implemented,loupe_supported,naive_supported\n"
				 "0,2,1\n"
				 "1,2,1\n"
				 "2,3,2\n"
				 "3,4,3\n"
				 "4,4,3\n"
				 "5,4,4\n");
	free(out);
	out = output(plan_curve_svg, 0);
	assert_non_null(strstr(out, "<svg"));
	assert_non_null(strstr(out, "</svg>"));
	assert_non_null(strstr(out, ">Loupe&apos;s plan (implement, stub or fake)</text>"));
	assert_non_null(strstr(out, ">implement everything traced</text>"));
	int paths = 0;
	for (const char *p = out; (p = strstr(p, "<path class=\"series\"")); p++)
		paths++;
	assert_int_equal(paths, 2);
	free(out);
}

/* An application unlocked by another one's step is listed with it. */
static void test_incidental(void **state)
{
	(void)state;
	struct plan_app apps[2];
	struct scset os;
	struct plan_result r;
	memset(apps, 0, sizeof(apps));
	memset(&os, 0, sizeof(os));
	apps[0].name = "x", apps[1].name = "y";
	apps[0].cls[5] = FC_REQUIRED;
	apps[1].cls[5] = FC_REQUIRED;
	assert_int_equal(plan_compute(apps, 2, &os, &r), 0);
	assert_int_equal(r.nloupe, 2);
	assert_int_equal(r.loupe_at[0], 1);
	assert_int_equal(r.loupe_at[1], 1);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(plan_print(f, OUT_CSV, &r), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\n1,x y,fstat,,,1,2\n"));
	free(buf);
	plan_result_free(&r);
}

/* ---- from a results database ---- */

static char path[64];

static int setup(void **state)
{
	(void)state;
	return rdb_tmp_path(path, "plan") ? -1 : rdb_fixture(path);
}

static int teardown(void **state)
{
	(void)state;
	rdb_remove(path);
	return 0;
}

static void test_from_db(void **state)
{
	(void)state;
	char err[256] = "";
	struct rdb *db = dbsel_open(path, err, sizeof(err));
	struct dbsel_row *rows;
	assert_non_null(db);
	assert_int_equal(dbsel_rows(db, NULL, 0, &rows, err, sizeof(err)), 3);
	assert_string_equal(rows[0].name, "alpha");
	assert_string_equal(rows[0].def_hash, "d1"); /* the newest row */
	assert_string_equal(rows[1].name, "beta");
	assert_string_equal(rows[2].state, "exploring");
	struct plan_app apps[2] = {{.name = "alpha"}, {.name = "beta"}};
	assert_int_equal(plan_load_app(db, rows[0].id, &apps[0]), 0);
	assert_int_equal(plan_load_app(db, rows[1].id, &apps[1]), 0);
	assert_int_equal(apps[0].cls[257], FC_STUB);  /* the call, not its pseudo-file */
	assert_int_equal(apps[0].cls[16], FC_UNUSED); /* ioctl: only a sub-feature */
	assert_int_equal(apps[1].cls[232], FC_REQUIRED);
	struct scset os;
	assert_int_equal(read_os("read\nwrite\nexit\n", &os, err, sizeof(err)), 0);
	struct plan_result r;
	assert_int_equal(plan_compute(apps, 2, &os, &r), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(plan_print(f, OUT_CSV, &r), 0);
	assert_int_equal(plan_curve_csv(f, &r), 0);
	fclose(f);
	/* alpha: stubs and a fake; beta: futex (faked for alpha, stub-only
	 * for beta) must be implemented, with epoll_wait. */
	assert_string_equal(buf, "step,unlocks,implement,stub,fake,implemented,supported\n"
				 "0,,,,,0,0\n"
				 "1,alpha,,clock_gettime openat getrandom,futex,0,1\n"
				 "2,beta,futex epoll_wait,accept4,,2,2\n"
				 "implemented,loupe_supported,naive_supported\n"
				 "0,1,0\n1,1,0\n2,2,0\n3,2,1\n4,2,1\n5,2,1\n6,2,2\n");
	free(buf);
	plan_result_free(&r);
	dbsel_free(rows, 3);
	/* Named rows, in the order given; an unknown name is an error. */
	char *names[] = {"beta", "alpha", "beta"};
	assert_int_equal(dbsel_rows(db, names, 3, &rows, err, sizeof(err)), 2);
	assert_string_equal(rows[0].name, "beta");
	dbsel_free(rows, 2);
	char *bad[] = {"alpha", "delta"};
	assert_int_equal(dbsel_rows(db, bad, 2, &rows, err, sizeof(err)), -1);
	assert_string_equal(err, "no workload 'delta' in the results database");
	rdb_close(db);
}

static void test_open_missing(void **state)
{
	(void)state;
	char err[256] = "";
	assert_null(dbsel_open("/tmp/hl-no-such-db.db", err, sizeof(err)));
	assert_non_null(strstr(err, "/tmp/hl-no-such-db.db: No such file or directory"));
	assert_int_equal(access("/tmp/hl-no-such-db.db", F_OK), -1); /* not created */
	assert_null(dbsel_open("/tmp", err, sizeof(err)));
	assert_string_equal(err, "/tmp: not a file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_os),	     cmocka_unit_test(test_read_os_errors),
		cmocka_unit_test(test_text),	     cmocka_unit_test(test_csv),
		cmocka_unit_test(test_md_json),	     cmocka_unit_test(test_curves),
		cmocka_unit_test(test_incidental),   cmocka_unit_test_setup_teardown(test_from_db, setup, teardown),
		cmocka_unit_test(test_open_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
