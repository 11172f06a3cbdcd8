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

static char path[64];

static int setup(void **state)
{
	(void)state;
	strcpy(path, "/tmp/hl-rdb-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(path); /* SQLite creates it */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char side[96];
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
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
		cmocka_unit_test_setup_teardown(test_refuses, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
