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

#define RDB_SCHEMA_VERSION 2

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
	bool corrected;   /* the final run's bisection made it required */
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
	const char *stats;         /* the run's statistics (JSON v3), or NULL:
	                              kept for baseline and discovery runs */
};

/* One workload row (a name with one definition and binaries). */
struct rdb_workload_row {
	int64_t id;
	const char *name, *def_hash, *bin_hash, *created;
	const char *state;      /* campaign: new, discovered, exploring, final, done */
	const char *static_nrs; /* the syscall numbers the static analysis of
	                           its binaries found, space-separated; NULL
	                           when not done */
	const char *progress;   /* explore's progress line, NULL before any */
	const char *running;    /* the features of the runs in progress, one
	                           name per line; NULL or "" when none */
};

/* Summary of the recorded runs of one kind (and feature: 0 for runs of no
 * one feature). */
struct rdb_summary {
	int runs, ok;
	double metric_mean, metric_sd; /* over passing runs with a metric; NAN if none */
	double rss_mean_kb, fds_mean;  /* over passing runs; NAN if none */
	double wall_mean_ns;           /* over all runs */
	double wall_max_ns;            /* over passing runs; NAN if none */
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

/* Calls fn for each workload row (of that name; NULL: all), oldest first. */
int rdb_each_workload(struct rdb *db, const char *name, int (*fn)(const struct rdb_workload_row *w, void *arg),
		      void *arg);
/* Calls fn for the workload row of that id, if there is one. */
int rdb_workload_row(struct rdb *db, int64_t id, int (*fn)(const struct rdb_workload_row *w, void *arg), void *arg);

/* The newest row of that name, or -1. */
int64_t rdb_latest_workload(struct rdb *db, const char *name);

int rdb_set_state(struct rdb *db, int64_t workload, const char *state);
int rdb_set_static(struct rdb *db, int64_t workload, const char *nrs);

/* What a viewer (the TUI) shows of a campaign in progress. */
int rdb_set_progress(struct rdb *db, int64_t workload, const char *progress, const char *running);

/* Records (rdb_feature) every call, sub-feature and pseudo-file of a run's
 * statistics (JSON v3: "syscalls" and "features").  The number of features,
 * or -1 when the text is not such JSON. */
int rdb_import_profile(struct rdb *db, int64_t workload, const char *stats_json);

/* What a run's statistics say about the application (the processes in the
 * profile): the first fatal signal one of them died of (SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE, SIGABRT, SIGSYS; 0 if none), peak RSS and fds. */
struct rdb_stats_outcome {
	int crash_signal;
	int64_t peak_rss_kb, fds_peak; /* -1 when the file has none */
};

int rdb_stats_outcome(struct rdb *db, const char *stats_json, struct rdb_stats_outcome *o);

/* The system calls a run's statistics show that the workload's features
 * (its baseline profile) do not have: the fallbacks a stubbed or faked
 * call made the application take (exit after a stubbed exit_group).
 * Their names, space-separated, into buf; their number, or -1. */
int rdb_new_calls(struct rdb *db, int64_t workload, const char *stats_json, char *buf, size_t len);

/* The statistics stored with a run (malloc'd; free it), or NULL. */
char *rdb_run_stats(struct rdb *db, int64_t workload, enum rdb_run_kind kind, int64_t feature, int replica);

int rdb_summary(struct rdb *db, int64_t workload, enum rdb_run_kind kind, int64_t feature, struct rdb_summary *s);

/* Adds the workload's runs of each kind, all features together, to
 * runs[RDB__RUN_KINDS] and those that passed to ok[].  0, or -1. */
int rdb_run_counts(struct rdb *db, int64_t workload, int *runs, int *ok);

/* The recorded verdicts of one feature's runs: its failed runs' reasons,
 * for reports.  Calls fn per run of that feature, in replica order. */
int rdb_each_run(struct rdb *db, int64_t workload, int64_t feature,
		 int (*fn)(const struct rdb_run *r, void *arg), void *arg);

#endif
