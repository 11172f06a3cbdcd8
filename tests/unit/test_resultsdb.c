/* The results database: what a resumed campaign finds, one row per run,
 * verdicts from the recorded replicas, and files it must refuse. */
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

#include "analysis/resultsdb.h"
#include "rdb_fixture.h"

static char path[64];

static int setup(void **state)
{
	(void)state;
	return rdb_tmp_path(path, "rdb");
}

static int teardown(void **state)
{
	(void)state;
	rdb_remove(path);
	return 0;
}

static struct rdb *open_db(void)
{
	char err[256] = "";
	struct rdb *db = rdb_open(path, err, sizeof(err));
	if (!db)
		fail_msg("rdb_open: %s", err);
	return db;
}

static void run(struct rdb *db, int64_t wl, int64_t feat, enum rdb_run_kind kind, int replica, bool ok)
{
	struct rdb_run r = {.workload = wl, .feature = feat, .kind = kind, .replica = replica, .ok = ok,
			    .metric = NAN, .reason = ok ? NULL : "exit status 1"};
	assert_int_equal(rdb_add_run(db, &r), 0);
}

static int collect(const struct rdb_feature *f, void *arg)
{
	char *out = arg;
	strcat(out, f->name);
	strcat(out, "=");
	strcat(out, feat_class_name(f->cls));
	strcat(out, " ");
	return 0;
}

static void test_campaign(void **state)
{
	(void)state;
	struct rdb *db = open_db();
	int64_t wl = rdb_workload(db, "hello", "d1", "b1");
	assert_true(wl > 0);
	assert_int_equal(rdb_workload(db, "hello", "d1", "b1"), wl);
	assert_true(rdb_workload(db, "hello", "d2", "b1") != wl); /* a changed definition: a new campaign */
	struct rdb_feature w = {.nr = 1, .kind = RDB_CALL, .name = "write", .count = 3};
	struct rdb_feature t = {.nr = 16, .kind = RDB_SUB, .sub = 0x5401, .name = "ioctl:TCGETS", .count = 1};
	struct rdb_feature m = {.nr = 257, .kind = RDB_PATH, .path = "/proc/self/maps", .name = "openat:/proc/self/maps"};
	assert_int_equal(rdb_feature(db, wl, &w), 0);
	assert_int_equal(rdb_feature(db, wl, &t), 0);
	assert_int_equal(rdb_feature(db, wl, &m), 0);
	int64_t wid = w.id;
	w.count = 4;
	assert_int_equal(rdb_feature(db, wl, &w), 0); /* found again: same row */
	assert_int_equal(w.id, wid);
	for (int i = 0; i < 3; i++) {
		run(db, wl, w.id, RDB_STUB, i, false);
		run(db, wl, w.id, RDB_FAKE, i, i != 1);
		run(db, wl, t.id, RDB_STUB, i, true);
	}
	run(db, wl, w.id, RDB_FAKE, 1, true); /* a replica run again replaces its row */
	assert_true(rdb_has_run(db, wl, RDB_STUB, w.id, 2));
	assert_false(rdb_has_run(db, wl, RDB_STUB, w.id, 3));
	assert_false(rdb_has_run(db, wl, RDB_FAKE, t.id, 0));
	struct replicas s = rdb_replicas(db, w.id, RDB_STUB, 3), f = rdb_replicas(db, w.id, RDB_FAKE, 3);
	assert_int_equal(s.fail, 3);
	assert_int_equal(f.ok, 3);
	assert_int_equal(rdb_set_class(db, w.id, classify(s, f), false), 0);
	assert_int_equal(rdb_set_class(db, t.id, classify(rdb_replicas(db, t.id, RDB_STUB, 3),
							    rdb_replicas(db, t.id, RDB_FAKE, 3)), false), 0);
	rdb_close(db);
	/* A new process (a resumed campaign) finds everything. */
	db = open_db();
	char seen[256] = "";
	assert_int_equal(rdb_each_feature(db, wl, collect, seen), 0);
	assert_string_equal(seen, "write=fake ioctl:TCGETS=pending openat:/proc/self/maps=pending ");
	assert_true(rdb_has_run(db, wl, RDB_FAKE, w.id, 1));
	rdb_close(db);
}

/* A run's statistics, as `hyperloupe run --stats` writes them (cut down). */
static const char stats_json[] =
	"{\"version\": 3, \"syscalls\": {\"write\": {\"nr\": 1, \"count\": 2},"
	" \"ioctl\": {\"nr\": 16, \"count\": 1}, \"openat\": {\"nr\": 257, \"count\": 5}},"
	" \"features\": [{\"syscall\": \"ioctl\", \"sub\": \"TCGETS\", \"key\": 21505, \"count\": 1},"
	" {\"syscall\": \"openat\", \"path\": \"/proc/self/maps\", \"key\": 77, \"count\": 3}]}";

static int collect_count(const struct rdb_feature *f, void *arg)
{
	char *out = arg;
	sprintf(out + strlen(out), "%s/%d/%llu/%llu ", f->name, f->nr, (unsigned long long)f->sub,
		(unsigned long long)f->count);
	return 0;
}

static void test_import(void **state)
{
	(void)state;
	struct rdb *db = open_db();
	int64_t wl = rdb_workload(db, "w", "d", "b");
	char seen[512] = "";
	assert_int_equal(rdb_import_profile(db, wl, stats_json), 5);
	assert_int_equal(rdb_import_profile(db, wl, stats_json), 5); /* again: the same rows */
	assert_int_equal(rdb_each_feature(db, wl, collect_count, seen), 0);
	assert_string_equal(seen, "write/1/0/2 ioctl/16/0/1 openat/257/0/5 ioctl:TCGETS/16/21505/1 "
				  "openat:/proc/self/maps/257/0/3 ");
	char fresh[64];
	assert_int_equal(rdb_new_calls(db, wl, "{\"syscalls\": {\"write\": {\"nr\": 1, \"count\": 2},"
					       " \"exit\": {\"nr\": 60, \"count\": 1}, \"kill\": {\"nr\": 62, \"count\": 0},"
					       " \"brk\": {\"nr\": 12, \"count\": 3}}}", fresh, sizeof(fresh)), 2);
	assert_string_equal(fresh, "brk exit");
	assert_int_equal(rdb_new_calls(db, wl, stats_json, fresh, sizeof(fresh)), 0);
	assert_int_equal(rdb_import_profile(db, wl, "{\"version\": 2}"), -1);
	assert_int_equal(rdb_import_profile(db, wl, "not json"), -1);
	rdb_close(db);
}

static void test_outcome(void **state)
{
	(void)state;
	struct rdb *db = open_db();
	struct rdb_stats_outcome o;
	assert_int_equal(rdb_stats_outcome(db, "{\"version\": 3, \"peak_rss_kb\": 900, \"fds_peak\": 7,"
					   " \"processes\": [{\"in_profile\": false, \"term_signal\": 11},"
					   " {\"in_profile\": true, \"term_signal\": 15},"
					   " {\"in_profile\": true, \"term_signal\": 6}]}", &o), 0);
	assert_int_equal(o.crash_signal, 6); /* SIGTERM is no crash; out of the profile does not count */
	assert_int_equal(o.peak_rss_kb, 900);
	assert_int_equal(o.fds_peak, 7);
	assert_int_equal(rdb_stats_outcome(db, "{\"version\": 3, \"processes\": []}", &o), 0);
	assert_int_equal(o.crash_signal, 0);
	assert_int_equal(o.peak_rss_kb, -1);
	assert_int_equal(rdb_stats_outcome(db, "garbage", &o), -1);
	assert_int_equal(rdb_stats_outcome(db, "{\"version\": 1}", &o), -1);
	rdb_close(db);
}

static int count_rows(const struct rdb_workload_row *w, void *arg)
{
	char *out = arg;
	sprintf(out + strlen(out), "%s:%s:%s ", w->name, w->state, w->static_nrs ? w->static_nrs : "-");
	return 0;
}

static void test_summary(void **state)
{
	(void)state;
	struct rdb *db = open_db();
	int64_t a = rdb_workload(db, "a", "d", "b"), b = rdb_workload(db, "b", "d", "b");
	int64_t a2 = rdb_workload(db, "a", "d2", "b");
	assert_int_equal(rdb_latest_workload(db, "a"), a2);
	assert_int_equal(rdb_latest_workload(db, "c"), -1);
	assert_int_equal(rdb_set_state(db, a, "done"), 0);
	assert_int_equal(rdb_set_static(db, b, "0 1 60"), 0);
	char rows[256] = "";
	assert_int_equal(rdb_each_workload(db, NULL, count_rows, rows), 0);
	assert_string_equal(rows, "a:done:- b:new:0 1 60 a:new:- ");
	rows[0] = 0;
	assert_int_equal(rdb_workload_row(db, b, count_rows, rows), 0);
	assert_int_equal(rdb_workload_row(db, a2 + 1, count_rows, rows), 0);
	assert_string_equal(rows, "b:new:0 1 60 ");
	double metric[] = {10, 20, 30};
	for (int i = 0; i < 3; i++) {
		struct rdb_run r = {.workload = a, .kind = RDB_BASELINE, .replica = i, .ok = true, .metric = metric[i],
				    .peak_rss_kb = 1000 * (i + 1), .fds = i ? 8 : -1, .wall_ns = 100,
				    .stats = i ? NULL : stats_json};
		assert_int_equal(rdb_add_run(db, &r), 0);
	}
	struct rdb_run bad = {.workload = a, .kind = RDB_BASELINE, .replica = 3, .metric = 99, .peak_rss_kb = -1,
			      .fds = -1, .wall_ns = 500, .reason = "exit status 1"};
	assert_int_equal(rdb_add_run(db, &bad), 0);
	struct rdb_summary s;
	assert_int_equal(rdb_summary(db, a, RDB_BASELINE, 0, &s), 0);
	assert_int_equal(s.runs, 4);
	assert_int_equal(s.ok, 3);
	assert_float_equal(s.metric_mean, 20, 1e-9); /* the failed run's figure is left out */
	assert_float_equal(s.metric_sd, 10, 1e-9);
	assert_float_equal(s.rss_mean_kb, 2000, 1e-9);
	assert_float_equal(s.fds_mean, 8, 1e-9); /* a missing figure is not a zero */
	assert_float_equal(s.wall_mean_ns, 200, 1e-9);
	assert_float_equal(s.wall_max_ns, 100, 1e-9); /* the failed run's 500 is no reference */
	char *js = rdb_run_stats(db, a, RDB_BASELINE, 0, 0);
	assert_non_null(js);
	assert_string_equal(js, stats_json);
	free(js);
	assert_null(rdb_run_stats(db, a, RDB_BASELINE, 0, 1));
	assert_int_equal(rdb_summary(db, b, RDB_BASELINE, 0, &s), 0);
	assert_int_equal(s.runs, 0);
	assert_true(isnan(s.metric_mean));
	rdb_close(db);
}

static void test_refuses(void **state)
{
	(void)state;
	char err[256] = "";
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not a database, not even close, but long enough to look like one\n", f);
	fclose(f);
	assert_null(rdb_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "not a hyperloupe results database"));
	unlink(path);
	struct rdb *db = open_db();
	rdb_close(db);
	/* A file of another schema version is not read as ours. */
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "sqlite3 %s \"UPDATE meta SET value = '99' WHERE key = 'schema_version'\"", path);
	if (system(cmd) != 0) {
		skip();
		return;
	}
	assert_null(rdb_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "schema version 99"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_campaign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outcome, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
