/* The test database (rdb_fixture.h). */
#include "rdb_fixture.h"

#include "analysis/resultsdb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct feat {
	int nr;
	enum rdb_kind kind;
	unsigned long long sub;
	const char *path, *name;
	enum feat_class cls;
};

#define CALL(nr, name, cls)                                                                                            \
	{                                                                                                              \
		nr, RDB_CALL, 0, NULL, name, cls                                                                       \
	}

static const struct feat alpha[] = {
	CALL(0, "read", FC_REQUIRED),
	CALL(1, "write", FC_REQUIRED),
	CALL(257, "openat", FC_STUB),
	CALL(318, "getrandom", FC_BOTH),
	CALL(202, "futex", FC_FAKE),
	CALL(228, "clock_gettime", FC_BOTH),
	{16, RDB_SUB, 0x5401, NULL, "ioctl:TCGETS", FC_STUB},
	{257, RDB_PATH, 0, "/proc/self/maps", "openat:/proc/self/maps", FC_FAKE},
};

static const struct feat beta[] = {
	CALL(0, "read", FC_REQUIRED),  CALL(1, "write", FC_REQUIRED), CALL(232, "epoll_wait", FC_REQUIRED),
	CALL(288, "accept4", FC_STUB), CALL(202, "futex", FC_STUB),
};

static const struct feat gamma_[] = {CALL(0, "read", FC_REQUIRED), CALL(9, "mmap", FC_PENDING)};
static const struct feat alpha_old[] = {CALL(0, "read", FC_REQUIRED)};

static int add_run(struct rdb *db, int64_t wl, int64_t feat, enum rdb_run_kind kind, int replica, bool ok,
		   double metric)
{
	struct rdb_run r = {.workload = wl,
			    .feature = feat,
			    .kind = kind,
			    .replica = replica,
			    .ok = ok,
			    .exit_status = ok ? 0 : 1,
			    .reason = ok ? NULL : "exit status 1",
			    .metric = metric,
			    .peak_rss_kb = -1,
			    .fds = -1,
			    .wall_ns = 1000000};
	return rdb_add_run(db, &r);
}

/* Stub and fake runs that agree with the verdict, two replicas each. */
static int verdict_runs(struct rdb *db, int64_t wl, const struct rdb_feature *f, enum feat_class cls)
{
	bool stub_ok = cls == FC_STUB || cls == FC_BOTH, fake_ok = cls == FC_FAKE || cls == FC_BOTH;
	for (int i = 0; i < 2; i++)
		if (add_run(db, wl, f->id, RDB_STUB, i, stub_ok, NAN) ||
		    add_run(db, wl, f->id, RDB_FAKE, i, fake_ok, NAN))
			return -1;
	return 0;
}

/* A workload row "name" with definition hash dN and binaries hash bN. */
static int64_t workload(struct rdb *db, const char *name, int hash, const char *state, const struct feat *fs, int n,
			bool runs)
{
	char def[8], bin[8];
	snprintf(def, sizeof(def), "d%d", hash);
	snprintf(bin, sizeof(bin), "b%d", hash);
	int64_t wl = rdb_workload(db, name, def, bin);
	if (wl < 0 || rdb_set_state(db, wl, state))
		return -1;
	for (int i = 0; i < n; i++) {
		struct rdb_feature f = {.nr = fs[i].nr,
					.kind = fs[i].kind,
					.sub = fs[i].sub,
					.path = fs[i].path,
					.name = fs[i].name,
					.count = 10 + (uint64_t)i};
		/* One verdict the final run's bisection corrected. */
		bool corrected = !strcmp(fs[i].name, "epoll_wait");
		if (rdb_feature(db, wl, &f) || rdb_set_class(db, f.id, fs[i].cls, corrected) ||
		    (runs && verdict_runs(db, wl, &f, fs[i].cls)))
			return -1;
	}
	return wl;
}

static int alpha_runs(struct rdb *db, int64_t wl)
{
	for (int i = 0; i < 3; i++)
		if (add_run(db, wl, 0, RDB_BASELINE, i, true, 100 + 10 * i))
			return -1;
	return add_run(db, wl, 0, RDB_DISCOVERY, 0, true, NAN) || rdb_set_static(db, wl, "0 1 2 3 16 202 257 318");
}

int rdb_fixture(const char *path)
{
	char err[256] = "";
	struct rdb *db = rdb_open(path, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "rdb_fixture: %s: %s\n", path, err);
		return -1;
	}
	int64_t wl;
	int rc = workload(db, "alpha", 0, "done", alpha_old, 1, false) < 0 ||
		 workload(db, "beta", 2, "done", beta, 5, false) < 0 ||
		 (wl = workload(db, "alpha", 1, "done", alpha, 8, true)) < 0 || alpha_runs(db, wl) ||
		 workload(db, "gamma", 3, "exploring", gamma_, 2, false) < 0;
	rdb_close(db);
	if (rc)
		fprintf(stderr, "rdb_fixture: %s: cannot write the database\n", path);
	return rc ? -1 : 0;
}

int rdb_tmp_path(char *path, const char *tag)
{
	snprintf(path, 64, "/tmp/hl-%s-XXXXXX", tag);
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(path);
	return 0;
}

void rdb_remove(const char *path)
{
	char side[4096];
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}
