/* Workload definitions (analysis/workload.c): the workload.conf parser and
 * each of its errors, loading with the test-script check, listing an images
 * directory, and the definition hash (stable, pinned, sensitive to what a
 * definition is and blind to the rest). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>

#include "analysis/workload.h"

static const char good_conf[] =
	"# a comment\n"
	"\n"
	"description = redis-server under redis-benchmark\n"
	"packages = redis-server redis-tools\n"
	"  binaries=redis-server  /usr/bin/redis-cli \r\n"
	"timeout = 300\n"
	"metric = requests_per_s higher\n"
	"run = redis-server --port $PORT --save '' # not a comment\n"
	"test = test.sh";

static void test_parse_good(void **state)
{
	(void)state;
	struct workload w;
	char err[256] = "";
	assert_int_equal(wl_parse("w.conf", good_conf, &w, err, sizeof(err)), 0);
	assert_string_equal(w.description, "redis-server under redis-benchmark");
	assert_int_equal(w.packages.n, 2);
	assert_string_equal(w.packages.v[1], "redis-tools");
	assert_int_equal(w.binaries.n, 2);
	assert_string_equal(w.binaries.v[0], "redis-server");
	assert_string_equal(w.binaries.v[1], "/usr/bin/redis-cli");
	assert_int_equal(w.timeout_s, 300);
	assert_string_equal(w.metric, "requests_per_s");
	assert_int_equal(w.goal, WL_METRIC_HIGHER);
	assert_string_equal(w.run, "redis-server --port $PORT --save '' # not a comment");
	assert_string_equal(w.test, "test.sh");
	assert_int_equal(w.line[WL_DESCRIPTION], 3);
	assert_int_equal(w.line[WL_TEST], 9);
}

/* The good file with line LINE (1-based) replaced by REPL ("" drops it). */
static void with_line(char *out, size_t size, int line, const char *repl)
{
	const char *p = good_conf;
	size_t n = 0;
	for (int i = 1; *p; i++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		n += (size_t)snprintf(out + n, size - n, "%.*s\n", i == line ? (int)strlen(repl) : (int)len,
				      i == line ? repl : p);
		p = nl ? nl + 1 : p + len;
	}
}

static void test_parse_empty_and_none(void **state)
{
	(void)state;
	struct workload w;
	char text[2048], err[256] = "";
	with_line(text, sizeof(text), 4, "packages =");
	assert_int_equal(wl_parse("w.conf", text, &w, err, sizeof(err)), 0);
	assert_int_equal(w.packages.n, 0);
	with_line(text, sizeof(text), 7, "metric = none");
	assert_int_equal(wl_parse("w.conf", text, &w, err, sizeof(err)), 0);
	assert_string_equal(w.metric, "");
	assert_int_equal(w.goal, WL_METRIC_NONE);
	with_line(text, sizeof(text), 7, "metric=seconds lower");
	assert_int_equal(wl_parse("w.conf", text, &w, err, sizeof(err)), 0);
	assert_int_equal(w.goal, WL_METRIC_LOWER);
}

static void test_parse_errors(void **state)
{
	(void)state;
	static const struct {
		int line;
		const char *repl, *err;
	} cases[] = {
		{3, "description redis", "w.conf:3: expected 'key = value', got 'description redis'"},
		{3, "color = blue", "w.conf:3: unknown key 'color'"},
		{2, "timeout = 5", "w.conf:6: 'timeout' given twice (first on line 2)"},
		{9, "", "w.conf: missing key 'test'"},
		{3, "description =  ", "w.conf:3: 'description' is empty"},
		{4, "packages = Redis", "w.conf:4: 'Redis' is not a Debian package name"},
		{4, "packages = a", "w.conf:4: 'a' is not a Debian package name"},
		{5, "binaries =", "w.conf:5: 'binaries' names no executable (the --only whitelist)"},
		{5, "binaries = a b c d e f g h i j k l m n o p q", "w.conf:5: more than 16 binaries"},
		{6, "timeout = 0", "w.conf:6: timeout '0': not a number of seconds from 1 to 86400"},
		{6, "timeout = 10s", "w.conf:6: timeout '10s': not a number of seconds from 1 to 86400"},
		{6, "timeout = -5", "w.conf:6: timeout '-5': not a number of seconds from 1 to 86400"},
		{6, "timeout = 86401", "w.conf:6: timeout '86401': not a number of seconds from 1 to 86400"},
		{7, "metric = rps", "w.conf:7: metric: expected 'none' or 'NAME higher|lower'"},
		{7, "metric = rps faster", "w.conf:7: metric: expected 'none' or 'NAME higher|lower'"},
		{7, "metric = none higher", "w.conf:7: metric: expected 'none' or 'NAME higher|lower'"},
		{7, "metric = rps higher x", "w.conf:7: metric: expected 'none' or 'NAME higher|lower'"},
		{7, "metric = Req/s higher", "w.conf:7: metric name 'Req/s': expected [a-z][a-z0-9_]*"},
		{8, "run =", "w.conf:8: 'run' is empty"},
		{9, "test = /bin/true", "w.conf:9: test '/bin/true': must be relative to the workload's folder"},
		{9, "test = ../lib.sh", "w.conf:9: test '../lib.sh': must not leave the workload's folder"},
		{9, "test = a/../../x", "w.conf:9: test 'a/../../x': must not leave the workload's folder"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct workload w;
		char text[2048], err[256] = "";
		with_line(text, sizeof(text), cases[i].line, cases[i].repl);
		if (wl_parse("w.conf", text, &w, err, sizeof(err)) == 0)
			fail_msg("case %zu (%s): accepted", i, cases[i].repl);
		assert_string_equal(err, cases[i].err);
	}
}

static void test_parse_too_long(void **state)
{
	(void)state;
	struct workload w;
	char text[4096], repl[1200], err[256] = "";
	memset(repl, 'x', sizeof(repl) - 1);
	repl[sizeof(repl) - 1] = 0;
	memcpy(repl, "run = ", 6);
	with_line(text, sizeof(text), 8, repl);
	assert_int_equal(wl_parse("w.conf", text, &w, err, sizeof(err)), -1);
	assert_string_equal(err, "w.conf:8: 'run' is longer than 1023 bytes");
}

/* ----------------------------------------------------- a scratch images dir */

static char scratch[PATH_MAX];

static void put(const char *rel, const char *content, mode_t mode)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", scratch, rel);
	for (char *s = strchr(path + strlen(scratch) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		mkdir(path, 0755);
		*s = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int setup_scratch(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(scratch, sizeof(scratch), "%s/test_workload.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(scratch) ? 0 : -1;
}

static int teardown_scratch(void **state)
{
	(void)state;
	return nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_load(void **state)
{
	(void)state;
	struct workload w;
	char err[PATH_MAX + 256] = "", want[PATH_MAX + 256];
	put("ok/workload.conf", good_conf, 0644);
	put("ok/test.sh", "#!/bin/sh\n", 0755);
	assert_int_equal(wl_load(scratch, "ok", &w, err, sizeof(err)), 0);
	assert_string_equal(w.name, "ok");

	put("noexec/workload.conf", good_conf, 0644);
	put("noexec/test.sh", "#!/bin/sh\n", 0644);
	assert_int_equal(wl_load(scratch, "noexec", &w, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s/noexec/workload.conf:9: test 'test.sh': not executable", scratch);
	assert_string_equal(err, want);

	put("notest/workload.conf", good_conf, 0644);
	assert_int_equal(wl_load(scratch, "notest", &w, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s/notest/workload.conf:9: test 'test.sh': No such file or directory",
		 scratch);
	assert_string_equal(err, want);

	assert_int_equal(wl_load(scratch, "absent", &w, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s/absent/workload.conf: No such file or directory", scratch);
	assert_string_equal(err, want);
	assert_int_equal(wl_load(scratch, "../etc", &w, err, sizeof(err)), -1);
	assert_string_equal(err, "'../etc': not a workload name ([A-Za-z0-9._-], at most 63 bytes)");
}

static void test_list(void **state)
{
	(void)state;
	char names[8][WL_NAME_MAX];
	put("zeta/workload.conf", "x", 0644);
	put("alpha/workload.conf", "x", 0644);
	put("mid/workload.conf", "x", 0644);
	put("not-a-workload/README.md", "x", 0644);
	put(".hidden/workload.conf", "x", 0644);
	put("lib.sh", "x", 0644);
	assert_int_equal(wl_list(scratch, names, 8), 3);
	assert_string_equal(names[0], "alpha");
	assert_string_equal(names[1], "mid");
	assert_string_equal(names[2], "zeta");
	/* Too small an array: the count, and the first names that fit, sorted. */
	assert_int_equal(wl_list(scratch, names, 2), 3);
	assert_true(strcmp(names[0], names[1]) < 0);
	assert_int_equal(wl_list("/nonexistent/images", names, 8), -ENOENT);
}

static uint64_t hash_of(const char *name)
{
	uint64_t h = 0;
	assert_int_equal(wl_hash(scratch, name, &h), 0);
	return h;
}

static void test_hash(void **state)
{
	(void)state;
	/* The same files created in another order hash the same. */
	put("a/workload.conf", "run = x\n", 0644);
	put("a/sub/data.txt", "1 2 3\n", 0644);
	put("a/test.sh", "#!/bin/sh\n", 0755);
	put("b/test.sh", "#!/bin/sh\n", 0755);
	put("b/sub/data.txt", "1 2 3\n", 0644);
	put("b/workload.conf", "run = x\n", 0644);
	uint64_t h = hash_of("a");
	assert_true(h == hash_of("a"));
	assert_true(h == hash_of("b"));
	/* Pinned (computed independently, see images/README.md): the results
	 * database keys runs by this value, so it must never drift. */
	assert_true(h == 0x9e04c71385cfbdd2ull);

	put("b/.test.sh.swp", "junk", 0644); /* hidden: not part of it */
	put("b/README.md", "docs\n", 0644);  /* documentation: not either */
	put("b/sub/README.md", "docs\n", 0644);
	assert_true(h == hash_of("b"));
	put("b/sub/data.txt", "1 2 4\n", 0644);
	assert_true(h != hash_of("b"));
	put("b/sub/data.txt", "1 2 3\n", 0644);
	put("b/sub/dat.txt", "", 0644); /* an empty file still counts */
	assert_true(h != hash_of("b"));

	put("lib.sh", "shared\n", 0644); /* the shared helpers count too */
	assert_true(h != hash_of("a"));
	assert_int_equal(wl_hash(scratch, "absent", &h), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_empty_and_none),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_too_long),
		cmocka_unit_test_setup_teardown(test_load, setup_scratch, teardown_scratch),
		cmocka_unit_test_setup_teardown(test_list, setup_scratch, teardown_scratch),
		cmocka_unit_test_setup_teardown(test_hash, setup_scratch, teardown_scratch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
