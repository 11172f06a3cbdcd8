/* The results database: an SQLite file (default ./hyperloupe.db) holding
 * explore campaigns, so that a killed campaign loses nothing and the same
 * command resumes it.  The schema is in resultsdb.c (schema[]) and in the
 * README ("Results database"). */
#ifndef HL_RESULTSDB_H
#define HL_RESULTSDB_H

#include "analysis/classify.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RDB_SCHEMA_VERSION 1

struct rdb;

/* What a feature is: a whole call, one of its sub-features, or a
 * pseudo-file it named. */
enum rdb_kind { RDB_CALL, RDB_SUB, RDB_PATH };

/* Why a run is made. */
enum rdb_run_kind { RDB_BASELINE, RDB_DISCOVERY, RDB_STUB, RDB_FAKE, RDB_FINAL, RDB_BISECT, RDB__RUN_KINDS };

struct rdb_feature {
	int64_t id;
	int nr;
	enum rdb_kind kind;
	uint64_t sub;     /* RDB_SUB: the key (analysis/xlat.h) */
	const char *path; /* RDB_PATH: the pseudo-file, else NULL */
	const char *name; /* as reports show it: `ioctl:TCGETS` */
	uint64_t count;   /* calls in the discovery run */
	enum feat_class cls;
};

struct rdb_run {
	int64_t workload, feature; /* feature: 0 for runs of no one feature */
	enum rdb_run_kind kind;
	int replica;
	const char *policy;        /* the run's policy options, as given */
	bool ok;                   /* the verdict: test passed, no crash, no hang */
	int exit_status;
	const char *reason;        /* why it failed, or NULL */
	double metric;             /* the test's performance figure, NAN if none */
	int64_t peak_rss_kb, fds, wall_ns;
};

/* Opens (creating) the database; NULL with a message in err when the file
 * is not one of ours or has another schema version. */
struct rdb *rdb_open(const char *path, char *err, size_t errlen);
void rdb_close(struct rdb *db);

/* The workload with this definition and binaries: one row per distinct
 * (name, hashes), so that changing either starts a new campaign.  Its id,
 * or -1. */
int64_t rdb_workload(struct rdb *db, const char *name, const char *def_hash, const char *bin_hash);

/* Records a feature the discovery run found (again: its count is updated);
 * sets f->id.  0 or -1. */
int rdb_feature(struct rdb *db, int64_t workload, struct rdb_feature *f);

/* Records a finished run (replacing the same run recorded before).  Each
 * call is its own transaction: a campaign killed after it keeps it. */
int rdb_add_run(struct rdb *db, const struct rdb_run *r);

/* Whether that run is already recorded: a resumed campaign skips it. */
bool rdb_has_run(struct rdb *db, int64_t workload, enum rdb_run_kind kind, int64_t feature, int replica);

/* The recorded outcomes of a feature's runs of one kind, want set by the
 * caller. */
struct replicas rdb_replicas(struct rdb *db, int64_t feature, enum rdb_run_kind kind, int want);

/* The verdict on a feature; corrected when the final run's bisection
 * changed it. */
int rdb_set_class(struct rdb *db, int64_t feature, enum feat_class cls, bool corrected);

/* Calls fn for each feature of the workload, in discovery order; stops
 * early when fn returns nonzero, which is then returned. */
int rdb_each_feature(struct rdb *db, int64_t workload, int (*fn)(const struct rdb_feature *f, void *arg),
		     void *arg);

const char *rdb_run_kind_name(enum rdb_run_kind k);

#endif
