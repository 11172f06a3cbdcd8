/* The results database (resultsdb.h), on SQLite. */
#include "analysis/resultsdb.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rdb {
	sqlite3 *db;
};

/* Version 2.  Features are per workload row; a run names its feature (0
 * when it is a baseline, discovery, final or bisection run) and replica,
 * and is unique by them, which is what lets a campaign resume. */
static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS workloads("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL, def_hash TEXT NOT NULL,"
	"  bin_hash TEXT NOT NULL, created TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,"
	"  state TEXT NOT NULL DEFAULT 'new', static TEXT, progress TEXT, running TEXT,"
	"  UNIQUE(name, def_hash, bin_hash));"
	"CREATE TABLE IF NOT EXISTS features("
	"  id INTEGER PRIMARY KEY, workload INTEGER NOT NULL REFERENCES workloads(id),"
	"  nr INTEGER NOT NULL, kind TEXT NOT NULL CHECK(kind IN ('call', 'sub', 'path')),"
	"  sub INTEGER NOT NULL DEFAULT 0, path TEXT NOT NULL DEFAULT '', name TEXT NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  class TEXT NOT NULL DEFAULT 'pending', corrected INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE(workload, nr, kind, sub, path));"
	"CREATE TABLE IF NOT EXISTS runs("
	"  id INTEGER PRIMARY KEY, workload INTEGER NOT NULL REFERENCES workloads(id),"
	"  kind TEXT NOT NULL, feature INTEGER NOT NULL DEFAULT 0, replica INTEGER NOT NULL,"
	"  policy TEXT, ok INTEGER NOT NULL, exit_status INTEGER, reason TEXT, metric REAL,"
	"  peak_rss_kb INTEGER, fds INTEGER, wall_ns INTEGER, stats TEXT,"
	"  finished TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,"
	"  UNIQUE(workload, kind, feature, replica));";

static const char *const kind_names[] = {"call", "sub", "path"};
static const char *const run_kind_names[RDB__RUN_KINDS] = {"baseline", "discovery", "stub",
							   "fake",     "final",     "bisect"};

const char *rdb_run_kind_name(enum rdb_run_kind k)
{
	return k < RDB__RUN_KINDS ? run_kind_names[k] : "?";
}

/* The schema version recorded in the file, 0 for a new file, -1 when the
 * file is not a database. */
static int stored_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = 0;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st, NULL))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = atoi((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static int set_up(sqlite3 *db, char *err, size_t errlen)
{
	char sql[128];
	/* Several explore processes may share a file: wait for each other. */
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;", NULL, NULL, NULL) ||
	    sqlite3_exec(db, schema, NULL, NULL, NULL)) {
		snprintf(err, errlen, "not a hyperloupe results database: %s", sqlite3_errmsg(db));
		return -1;
	}
	int v = stored_version(db);
	if (v != 0 && v != RDB_SCHEMA_VERSION) {
		snprintf(err, errlen, "results database of schema version %d, this hyperloupe reads %d", v,
			 RDB_SCHEMA_VERSION);
		return -1;
	}
	/* Columns version 2 gained after its first files were made: added in
	 * place (an error only says the column is there already). */
	sqlite3_exec(db, "ALTER TABLE workloads ADD COLUMN progress TEXT", NULL, NULL, NULL);
	sqlite3_exec(db, "ALTER TABLE workloads ADD COLUMN running TEXT", NULL, NULL, NULL);
	snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO meta VALUES('schema_version', '%d')", RDB_SCHEMA_VERSION);
	return sqlite3_exec(db, sql, NULL, NULL, NULL) ? -1 : 0;
}

struct rdb *rdb_open(const char *path, char *err, size_t errlen)
{
	struct rdb *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open(path, &r->db) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
		rdb_close(r);
		return NULL;
	}
	if (set_up(r->db, err, errlen)) {
		rdb_close(r);
		return NULL;
	}
	return r;
}

void rdb_close(struct rdb *db)
{
	if (!db)
		return;
	sqlite3_close(db->db);
	free(db);
}

/* Runs sql with the bound text/integer arguments given by fmt ('t' text,
 * 'i' int64, 'd' double); returns the first column of the first row as an
 * int64 in *out when out is not NULL.  0, or -1 on an error. */
static int exec_bound(struct rdb *db, const char *sql, const char *fmt, const void *const *args, int64_t *out)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL))
		return -1;
	for (int i = 0; fmt[i]; i++) {
		if (fmt[i] == 't')
			sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_TRANSIENT);
		else if (fmt[i] == 'i')
			sqlite3_bind_int64(st, i + 1, *(const int64_t *)args[i]);
		else if (fmt[i] == 'd' && !isnan(*(const double *)args[i]))
			sqlite3_bind_double(st, i + 1, *(const double *)args[i]);
	}
	int rc = sqlite3_step(st);
	if (out && rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int exec_text(struct rdb *db, const char *sql, int64_t id, const char *text)
{
	const void *args[] = {text, &id};
	return exec_bound(db, sql, "ti", args, NULL);
}

int64_t rdb_workload(struct rdb *db, const char *name, const char *def_hash, const char *bin_hash)
{
	const void *args[] = {name, def_hash, bin_hash};
	int64_t id = -1;
	if (exec_bound(db, "INSERT OR IGNORE INTO workloads(name, def_hash, bin_hash) VALUES(?, ?, ?)", "ttt", args,
		       NULL) ||
	    exec_bound(db, "SELECT id FROM workloads WHERE name = ? AND def_hash = ? AND bin_hash = ?", "ttt", args,
		       &id))
		return -1;
	return id;
}

int rdb_feature(struct rdb *db, int64_t workload, struct rdb_feature *f)
{
	int64_t nr = f->nr, sub = (int64_t)f->sub, count = (int64_t)f->count;
	const char *path = f->path ? f->path : "";
	const void *ins[] = {&workload, &nr, kind_names[f->kind], &sub, path, f->name, &count};
	const void *sel[] = {&count, &workload, &nr, kind_names[f->kind], &sub, path};
	f->id = -1;
	if (exec_bound(db,
		       "INSERT OR IGNORE INTO features(workload, nr, kind, sub, path, name, count)"
		       " VALUES(?, ?, ?, ?, ?, ?, ?)",
		       "iititti", ins, NULL))
		return -1;
	return exec_bound(db,
			  "UPDATE features SET count = ? WHERE workload = ? AND nr = ? AND kind = ? AND sub = ?"
			  " AND path = ? RETURNING id",
			  "iiitit", sel, &f->id) || f->id < 0
		       ? -1
		       : 0;
}

int rdb_add_run(struct rdb *db, const struct rdb_run *r)
{
	int64_t replica = r->replica, ok = r->ok, status = r->exit_status;
	const void *args[] = {&r->workload, run_kind_names[r->kind], &r->feature, &replica, r->policy ? r->policy : "",
			      &ok, &status, r->reason ? r->reason : "", &r->metric, &r->peak_rss_kb, &r->fds,
			      &r->wall_ns, r->stats};
	/* A missing figure (-1) is stored as NULL, not averaged in. */
	return exec_bound(db,
			  "INSERT OR REPLACE INTO runs(workload, kind, feature, replica, policy, ok, exit_status,"
			  " reason, metric, peak_rss_kb, fds, wall_ns, stats) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?,"
			  " nullif(?, -1), nullif(?, -1), ?, ?)",
			  "itiitiitdiiit", args, NULL);
}

bool rdb_has_run(struct rdb *db, int64_t workload, enum rdb_run_kind kind, int64_t feature, int replica)
{
	int64_t rep = replica, n = 0;
	const void *args[] = {&workload, run_kind_names[kind], &feature, &rep};
	return !exec_bound(db,
			   "SELECT count(*) FROM runs WHERE workload = ? AND kind = ? AND feature = ? AND replica = ?",
			   "itii", args, &n) &&
	       n > 0;
}

struct replicas rdb_replicas(struct rdb *db, int64_t feature, enum rdb_run_kind kind, int want)
{
	struct replicas r = {0, 0, want};
	int64_t ok = 0, all = 0;
	const void *args[] = {&feature, run_kind_names[kind]};
	exec_bound(db, "SELECT count(*) FROM runs WHERE feature = ? AND kind = ? AND ok", "it", args, &ok);
	exec_bound(db, "SELECT count(*) FROM runs WHERE feature = ? AND kind = ?", "it", args, &all);
	r.ok = (int)ok;
	r.fail = (int)(all - ok);
	return r;
}

int rdb_set_class(struct rdb *db, int64_t feature, enum feat_class cls, bool corrected)
{
	int64_t c = corrected;
	const void *args[] = {feat_class_name(cls), &c, &feature};
	return exec_bound(db, "UPDATE features SET class = ?, corrected = ? WHERE id = ?", "tii", args, NULL);
}

static enum feat_class class_of(const char *name)
{
	for (int c = 0; c < FC__COUNT; c++)
		if (!strcmp(name, feat_class_name((enum feat_class)c)))
			return (enum feat_class)c;
	return FC_PENDING;
}

static void row_feature(sqlite3_stmt *st, struct rdb_feature *f)
{
	const char *kind = (const char *)sqlite3_column_text(st, 2);
	f->id = sqlite3_column_int64(st, 0);
	f->nr = sqlite3_column_int(st, 1);
	f->kind = !strcmp(kind, "sub") ? RDB_SUB : !strcmp(kind, "path") ? RDB_PATH : RDB_CALL;
	f->sub = (uint64_t)sqlite3_column_int64(st, 3);
	f->path = f->kind == RDB_PATH ? (const char *)sqlite3_column_text(st, 4) : NULL;
	f->name = (const char *)sqlite3_column_text(st, 5);
	f->count = (uint64_t)sqlite3_column_int64(st, 6);
	f->cls = class_of((const char *)sqlite3_column_text(st, 7));
	f->corrected = sqlite3_column_int(st, 8);
}

int rdb_each_feature(struct rdb *db, int64_t workload, int (*fn)(const struct rdb_feature *f, void *arg),
		     void *arg)
{
	sqlite3_stmt *st;
	int r = 0;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT id, nr, kind, sub, path, name, count, class, corrected FROM features"
			       " WHERE workload = ? ORDER BY id",
			       -1, &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, workload);
	while (!r && sqlite3_step(st) == SQLITE_ROW) {
		struct rdb_feature f;
		row_feature(st, &f);
		r = fn(&f, arg);
	}
	sqlite3_finalize(st);
	return r;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* The rows of that name (NULL: any) and id (< 0: any). */
static int each_workload(struct rdb *db, const char *name, int64_t id,
			 int (*fn)(const struct rdb_workload_row *w, void *arg), void *arg)
{
	sqlite3_stmt *st;
	int r = 0;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT id, name, def_hash, bin_hash, created, state, static, progress, running"
			       " FROM workloads"
			       " WHERE (?1 IS NULL OR name = ?1) AND (?2 < 0 OR id = ?2) ORDER BY id",
			       -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	while (!r && sqlite3_step(st) == SQLITE_ROW) {
		struct rdb_workload_row w = {
			.id = sqlite3_column_int64(st, 0),
			.name = col_text(st, 1),
			.def_hash = col_text(st, 2),
			.bin_hash = col_text(st, 3),
			.created = col_text(st, 4),
			.state = col_text(st, 5),
			.static_nrs = col_text(st, 6),
			.progress = col_text(st, 7),
			.running = col_text(st, 8),
		};
		r = fn(&w, arg);
	}
	sqlite3_finalize(st);
	return r;
}

int rdb_each_workload(struct rdb *db, const char *name, int (*fn)(const struct rdb_workload_row *w, void *arg),
		      void *arg)
{
	return each_workload(db, name, -1, fn, arg);
}

int rdb_workload_row(struct rdb *db, int64_t id, int (*fn)(const struct rdb_workload_row *w, void *arg), void *arg)
{
	return each_workload(db, NULL, id, fn, arg);
}

int64_t rdb_latest_workload(struct rdb *db, const char *name)
{
	const void *args[] = {name};
	int64_t id = -1;
	exec_bound(db, "SELECT max(id) FROM workloads WHERE name = ? HAVING count(*) > 0", "t", args, &id);
	return id;
}

int rdb_set_state(struct rdb *db, int64_t workload, const char *state)
{
	return exec_text(db, "UPDATE workloads SET state = ? WHERE id = ?", workload, state);
}

int rdb_set_progress(struct rdb *db, int64_t workload, const char *progress, const char *running)
{
	const void *args[] = {progress, running, &workload};
	return exec_bound(db, "UPDATE workloads SET progress = ?, running = ? WHERE id = ?", "tti", args, NULL);
}

int rdb_set_static(struct rdb *db, int64_t workload, const char *nrs)
{
	return exec_text(db, "UPDATE workloads SET static = ? WHERE id = ?", workload, nrs);
}

/* Every call of "syscalls", then every entry of "features" (its number from
 * the call's entry), as feature rows: JSON1 does the parsing. */
static const char import_sql[] =
	"INSERT INTO features(workload, nr, kind, sub, path, name, count)"
	" SELECT ?1, json_extract(s.value, '$.nr'), 'call', 0, '', s.key, json_extract(s.value, '$.count')"
	"   FROM json_each(?2, '$.syscalls') AS s WHERE json_extract(s.value, '$.nr') IS NOT NULL"
	" UNION ALL"
	" SELECT ?1, json_extract(?2, '$.syscalls.\"' || json_extract(f.value, '$.syscall') || '\".nr'),"
	"   CASE WHEN json_type(f.value, '$.path') IS NOT NULL THEN 'path' ELSE 'sub' END,"
	"   CASE WHEN json_type(f.value, '$.path') IS NOT NULL THEN 0 ELSE json_extract(f.value, '$.key') END,"
	"   coalesce(json_extract(f.value, '$.path'), ''),"
	"   json_extract(f.value, '$.syscall') || ':' ||"
	"     coalesce(json_extract(f.value, '$.path'), json_extract(f.value, '$.sub')),"
	"   json_extract(f.value, '$.count')"
	"   FROM json_each(?2, '$.features') AS f WHERE true"
	" ON CONFLICT(workload, nr, kind, sub, path) DO UPDATE SET count = excluded.count";

int rdb_import_profile(struct rdb *db, int64_t workload, const char *stats_json)
{
	sqlite3_stmt *st;
	int64_t version = 0;
	const void *args[] = {stats_json};
	if (exec_bound(db, "SELECT json_extract(?, '$.version')", "t", args, &version) || version != 3)
		return -1;
	if (sqlite3_prepare_v2(db->db, import_sql, -1, &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, workload);
	sqlite3_bind_text(st, 2, stats_json, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	int64_t n = -1;
	const void *wl[] = {&workload};
	if (rc != SQLITE_DONE || exec_bound(db, "SELECT count(*) FROM features WHERE workload = ?", "i", wl, &n))
		return -1;
	return (int)n;
}

char *rdb_run_stats(struct rdb *db, int64_t workload, enum rdb_run_kind kind, int64_t feature, int replica)
{
	sqlite3_stmt *st;
	char *out = NULL;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT stats FROM runs WHERE workload = ? AND kind = ? AND feature = ? AND replica = ?",
			       -1, &st, NULL))
		return NULL;
	sqlite3_bind_int64(st, 1, workload);
	sqlite3_bind_text(st, 2, rdb_run_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, feature);
	sqlite3_bind_int(st, 4, replica);
	if (sqlite3_step(st) == SQLITE_ROW && col_text(st, 0))
		out = strdup(col_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static double col_real(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

int rdb_summary(struct rdb *db, int64_t workload, enum rdb_run_kind kind, int64_t feature, struct rdb_summary *s)
{
	sqlite3_stmt *st;
	/* The sample standard deviation, from the sums (no sqrt in SQL). */
	static const char sql[] =
		"SELECT count(*), coalesce(sum(ok), 0),"
		"  avg(CASE WHEN ok THEN metric END),"
		"  sum(CASE WHEN ok THEN metric * metric END), count(CASE WHEN ok THEN metric END),"
		"  avg(CASE WHEN ok THEN peak_rss_kb END), avg(CASE WHEN ok THEN fds END), avg(wall_ns),"
		"  max(CASE WHEN ok THEN wall_ns END)"
		" FROM runs WHERE workload = ? AND kind = ? AND feature = ?";
	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, workload);
	sqlite3_bind_text(st, 2, rdb_run_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, feature);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		double mean = col_real(st, 2), sq = col_real(st, 3);
		int n = sqlite3_column_int(st, 4);
		s->runs = sqlite3_column_int(st, 0);
		s->ok = sqlite3_column_int(st, 1);
		s->metric_mean = mean;
		s->metric_sd = n > 1 ? sqrt(fmax(0, (sq - n * mean * mean) / (n - 1))) : NAN;
		s->rss_mean_kb = col_real(st, 5);
		s->fds_mean = col_real(st, 6);
		s->wall_mean_ns = col_real(st, 7);
		s->wall_max_ns = col_real(st, 8);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int rdb_run_counts(struct rdb *db, int64_t workload, int *runs, int *ok)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT kind, count(*), coalesce(sum(ok), 0) FROM runs WHERE workload = ? GROUP BY kind", -1,
			       &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, workload);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int k = 0; k < RDB__RUN_KINDS; k++)
			if (!strcmp(run_kind_names[k], col_text(st, 0))) {
				runs[k] += sqlite3_column_int(st, 1);
				ok[k] += sqlite3_column_int(st, 2);
			}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void row_run(sqlite3_stmt *st, struct rdb_run *r)
{
	enum rdb_run_kind k = RDB_BASELINE;
	while (k < RDB__RUN_KINDS && strcmp(run_kind_names[k], col_text(st, 1)))
		k++;
	*r = (struct rdb_run){
		.workload = sqlite3_column_int64(st, 0),
		.kind = k,
		.feature = sqlite3_column_int64(st, 2),
		.replica = sqlite3_column_int(st, 3),
		.policy = col_text(st, 4),
		.ok = sqlite3_column_int(st, 5),
		.exit_status = sqlite3_column_int(st, 6),
		.reason = col_text(st, 7),
		.metric = col_real(st, 8),
		.peak_rss_kb = sqlite3_column_type(st, 9) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 9),
		.fds = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 10),
		.wall_ns = sqlite3_column_int64(st, 11),
	};
}

int rdb_each_run(struct rdb *db, int64_t workload, int64_t feature, int (*fn)(const struct rdb_run *r, void *arg),
		 void *arg)
{
	sqlite3_stmt *st;
	int r = 0;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT workload, kind, feature, replica, policy, ok, exit_status, reason, metric,"
			       " peak_rss_kb, fds, wall_ns FROM runs WHERE workload = ? AND feature = ?"
			       " ORDER BY kind, replica",
			       -1, &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, workload);
	sqlite3_bind_int64(st, 2, feature);
	while (!r && sqlite3_step(st) == SQLITE_ROW) {
		struct rdb_run run;
		row_run(st, &run);
		r = fn(&run, arg);
	}
	sqlite3_finalize(st);
	return r;
}

int rdb_stats_outcome(struct rdb *db, const char *stats_json, struct rdb_stats_outcome *o)
{
	sqlite3_stmt *st;
	static const char sql[] =
		"SELECT coalesce((SELECT json_extract(p.value, '$.term_signal') FROM json_each(?1, '$.processes') AS p"
		"   WHERE json_extract(p.value, '$.in_profile') AND json_extract(p.value, '$.term_signal') IN"
		"   (4, 6, 7, 8, 11, 31) LIMIT 1), 0),"
		" coalesce(json_extract(?1, '$.peak_rss_kb'), -1), coalesce(json_extract(?1, '$.fds_peak'), -1)"
		" WHERE json_extract(?1, '$.version') = 3";
	*o = (struct rdb_stats_outcome){0, -1, -1};
	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, stats_json, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		o->crash_signal = sqlite3_column_int(st, 0);
		o->peak_rss_kb = sqlite3_column_int64(st, 1);
		o->fds_peak = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int rdb_new_calls(struct rdb *db, int64_t workload, const char *stats_json, char *buf, size_t len)
{
	sqlite3_stmt *st;
	int n = 0;
	size_t o = 0;
	buf[0] = 0;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT s.key FROM json_each(?2, '$.syscalls') AS s"
			       " WHERE json_extract(s.value, '$.count') > 0 AND NOT EXISTS (SELECT 1 FROM features"
			       "   WHERE workload = ?1 AND kind = 'call' AND nr = json_extract(s.value, '$.nr'))"
			       " ORDER BY json_extract(s.value, '$.nr')",
			       -1, &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, workload);
	sqlite3_bind_text(st, 2, stats_json, -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", n ? " " : "", col_text(st, 0));
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : -1;
}
