/* The TUI's sources (source.h). */
#include "tui/source.h"

#include "analysis/dbsel.h"
#include "analysis/resultsdb.h"
#include "analysis/syscalls.h"
#include "analysis/util.h"
#include "analysis/runstats.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum src_kind { SRC_LIVE, SRC_JSON, SRC_DB };

struct tui_source {
	enum src_kind kind;
	int pid;
	const struct run_stats *run; /* live */
	struct stats *merged;        /* live: the profile, merged each refresh */
	char *json;                  /* json: the file's text */
	char path[4096];
	struct rdb *db;              /* db */
	char workload[128];
	int64_t wl;
};

static struct tui_source *src_new(enum src_kind kind)
{
	struct tui_source *s = calloc(1, sizeof(*s));
	if (s)
		s->kind = kind;
	return s;
}

void src_close(struct tui_source *s)
{
	if (!s)
		return;
	if (s->run)
		stats_run_close(s->run);
	free(s->merged);
	free(s->json);
	rdb_close(s->db);
	free(s);
}

bool src_changes(const struct tui_source *s)
{
	return s->kind != SRC_JSON;
}

/* ------------------------------------------------------------------ live */

struct tui_source *src_live(int pid, char *err, size_t errlen)
{
	struct tui_source *s = src_new(SRC_LIVE);
	if (!s)
		return snprintf(err, errlen, "out of memory"), NULL;
	s->pid = pid;
	s->run = stats_run_open(pid);
	s->merged = malloc(sizeof(*s->merged));
	if (!s->run || !s->merged) {
		snprintf(err, errlen, "no statistics for run %d: %s", pid,
			 errno == EPROTO ? "made by another version of hyperloupe" : strerror(errno));
		src_close(s);
		return NULL;
	}
	return s;
}

static void copy_counts(struct tm_row *r, const struct sc_count *c)
{
	r->count = c->count;
	r->errors = c->errors;
	r->host_ns = c->host_ns;
	memcpy(r->outcome, c->outcome, sizeof(r->outcome));
}

static void live_rows(const struct stats *m, struct tui_model *tm)
{
	for (int nr = 0; nr < SC_TABLE_SIZE; nr++) {
		struct tm_row *r;
		if (!m->sc[nr].count || !(r = tm_row(tm, nr, TK_CALL, sc_name(nr) ? sc_name(nr) : "?")))
			continue;
		copy_counts(r, &m->sc[nr]);
		memcpy(r->hist, m->hist[nr], sizeof(r->hist));
		r->has_hist = true;
	}
	for (int i = 0; i < STATS_FEATS; i++) {
		const struct feat_count *f = &m->feats[i];
		char buf[64];
		if (!f->tag || f->tag == FEAT_BUSY || !f->c.count)
			continue;
		struct tm_row *r = tm_row(tm, feat_nr(f), feat_is_path(f) ? TK_PATH : TK_SUB,
					  stats_feat_name(m, f, buf, sizeof(buf)));
		if (r)
			copy_counts(r, &f->c);
	}
}

/* The first process's program and arguments. */
static void live_title(const struct run_stats *run, struct tm_header *h)
{
	const struct stats *p = &run->procs[0];
	size_t n = (size_t)snprintf(h->title, sizeof(h->title), "%.*s", STATS_EXE_MAX, p->exe);
	snprintf(h->exe, sizeof(h->exe), "%.*s", STATS_EXE_MAX, p->exe);
	uint32_t len = p->argv_len < STATS_ARGV_MAX ? p->argv_len : STATS_ARGV_MAX;
	for (uint32_t i = 0, k = 0; i < len && n < sizeof(h->title); k++) {
		size_t w = strnlen(p->argv + i, len - i);
		if (k)
			n += (size_t)snprintf(h->title + n, sizeof(h->title) - n, " %.*s", (int)w, p->argv + i);
		i += (uint32_t)w + 1;
	}
}

static int live_refresh(struct tui_source *s, struct tui_model *tm)
{
	const struct run_stats *run = s->run;
	const char *names[STATS_ONLY_MAX];
	int n = (int)(run->nonly < STATS_ONLY_MAX ? run->nonly : STATS_ONLY_MAX);
	for (int i = 0; i < n; i++)
		names[i] = run->only[i];
	struct stats_filter f = {names, n};
	struct stats_totals t;
	stats_merge(run, &f, s->merged);
	stats_totals(run, s->merged, &t);
	bool ended = __atomic_load_n(&run->ended, __ATOMIC_ACQUIRE);
	struct tm_header *h = &tm->h;
	snprintf(h->source, sizeof(h->source), "live, run %d", s->pid);
	live_title(run, h);
	snprintf(h->phase, sizeof(h->phase), "%s", run->agent.phase);
	snprintf(h->state, sizeof(h->state), "%s", ended ? "ended" : "running");
	h->elapsed_s = (double)((ended ? run->end_ns : now_ns()) - run->start_ns) / 1e9;
	h->C_ns = (double)t.user_ns;
	h->sum_g_ns = (double)t.host_ns;
	h->wall_ns = (double)t.wall_ns;
	live_rows(s->merged, tm);
	return 0;
}

/* ------------------------------------------------------------ JSON stats */

static const char *col(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	return t ? t : "";
}

static void parse_hist(const char *text, struct tm_row *r)
{
	const char *p = strchr(text, '[');
	for (int b = 0; p && b < TM_HIST; b++) {
		char *end;
		r->hist[b] = (uint32_t)strtoul(p + 1, &end, 10);
		p = strchr(end, ',');
		r->has_hist = true;
	}
}

/* Columns 1..7 of a syscall or feature entry: count, errors, host_ns and
 * the four outcomes. */
#define COUNT_COLS                                                                                                 \
	"json_extract(value, '$.count'), json_extract(value, '$.errors'), json_extract(value, '$.host_ns'),"     \
	" json_extract(value, '$.forwarded'), json_extract(value, '$.local'), json_extract(value, '$.stubbed'),"  \
	" json_extract(value, '$.faked')"

static void row_counts(sqlite3_stmt *st, struct tm_row *r)
{
	r->count = (uint64_t)sqlite3_column_int64(st, 1);
	r->errors = (uint64_t)sqlite3_column_int64(st, 2);
	r->host_ns = (uint64_t)sqlite3_column_int64(st, 3);
	for (int a = 0; a < POL__COUNT; a++)
		r->outcome[a] = (uint64_t)sqlite3_column_int64(st, 4 + a);
}

static int each_entry(sqlite3 *db, const char *json, const char *sql, struct tui_model *m, bool features)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int nr = features ? sc_by_name(col(st, 0)) : sqlite3_column_int(st, 8);
		enum tm_kind kind = features && sqlite3_column_type(st, 9) != SQLITE_NULL ? TK_PATH : TK_SUB;
		const char *name = !features ? col(st, 0) : kind == TK_PATH ? col(st, 9) : col(st, 8);
		struct tm_row *r = tm_row(m, nr, features ? kind : TK_CALL, name);
		if (!r)
			continue;
		row_counts(st, r);
		if (!features)
			parse_hist(col(st, 9), r);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void json_header(sqlite3 *db, const char *json, struct tui_model *m)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT json_extract(?1, '$.program'), json_extract(?1, '$.user_ns'),"
			       " json_extract(?1, '$.host_ns'), json_extract(?1, '$.wall_ns'),"
			       " coalesce(json_extract(?1, '$.agent.phase'), ''),"
			       " (SELECT group_concat(value, ' ') FROM json_each(?1, '$.argv') WHERE key > 0)",
			       -1, &st, NULL))
		return;
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		struct tm_header *h = &m->h;
		snprintf(h->exe, sizeof(h->exe), "%s", col(st, 0));
		snprintf(h->title, sizeof(h->title), "%s %s", col(st, 0), col(st, 5));
		h->C_ns = sqlite3_column_double(st, 1);
		h->sum_g_ns = sqlite3_column_double(st, 2);
		h->wall_ns = sqlite3_column_double(st, 3);
		h->elapsed_s = h->wall_ns / 1e9;
		snprintf(h->phase, sizeof(h->phase), "%s", col(st, 4));
	}
	sqlite3_finalize(st);
}

int src_parse_stats(const char *json, struct tui_model *m, char *err, size_t errlen)
{
	sqlite3 *db;
	int version = 0;
	if (sqlite3_open(":memory:", &db)) {
		snprintf(err, errlen, "cannot open SQLite");
		return -1;
	}
	sqlite3_stmt *st;
	if (!sqlite3_prepare_v2(db, "SELECT json_extract(?, '$.version')", -1, &st, NULL)) {
		sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			version = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	int r = version == 3 ? 0 : -1;
	if (r)
		snprintf(err, errlen, "not the statistics of a hyperloupe run (JSON version 3)");
	if (!r)
		json_header(db, json, m);
	if (!r && (each_entry(db, json,
			      "SELECT key, " COUNT_COLS ", json_extract(value, '$.nr'),"
			      " json_extract(value, '$.latency_hist') FROM json_each(?1, '$.syscalls')",
			      m, false) ||
		   each_entry(db, json,
			      "SELECT json_extract(value, '$.syscall'), " COUNT_COLS ", json_extract(value, '$.sub'),"
			      " json_extract(value, '$.path') FROM json_each(?1, '$.features')",
			      m, true))) {
		snprintf(err, errlen, "malformed statistics: %s", sqlite3_errmsg(db));
		r = -1;
	}
	sqlite3_close(db);
	return r;
}

struct tui_source *src_json(const char *path, char *err, size_t errlen)
{
	struct tui_source *s = src_new(SRC_JSON);
	if (!s)
		return snprintf(err, errlen, "out of memory"), NULL;
	s->json = hl_read_file(path);
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (!s->json) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		src_close(s);
		return NULL;
	}
	return s;
}

/* ------------------------------------------------------------- database */

struct tui_source *src_db(const char *path, const char *workload, char *err, size_t errlen)
{
	struct tui_source *s = src_new(SRC_DB);
	if (!s)
		return snprintf(err, errlen, "out of memory"), NULL;
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(s->workload, sizeof(s->workload), "%s", workload);
	s->db = dbsel_open(path, err, errlen);
	if (s->db && (s->wl = rdb_latest_workload(s->db, workload)) < 0)
		snprintf(err, errlen, "%s: no workload '%s' (hyperloupe explore %s)", path, workload, workload);
	if (!s->db || s->wl < 0) {
		src_close(s);
		return NULL;
	}
	return s;
}

struct db_ctx {
	struct tui_model *m;
	const char *running;
};

/* A feature's row: a call by its name, a sub-feature or path by what
 * follows the call's name. */
static int db_feature(const struct rdb_feature *f, void *arg)
{
	struct db_ctx *c = arg;
	const char *colon = strchr(f->name, ':');
	const char *name = f->kind == RDB_CALL || !colon ? f->name : colon + 1;
	struct tm_row *r = tm_row(c->m, f->nr, f->kind == RDB_CALL ? TK_CALL : f->kind == RDB_SUB ? TK_SUB : TK_PATH,
				  name);
	if (!r)
		return 0;
	r->cls = f->cls;
	if (!r->count)
		r->count = f->count;
	/* Each name is on a line of its own in the running list. */
	const char *at = c->running ? strstr(c->running, f->name) : NULL;
	size_t n = strlen(f->name);
	r->running = at && (at == c->running || at[-1] == '\n') && at[n] == '\n';
	return 0;
}

static int db_row(const struct rdb_workload_row *w, void *arg)
{
	struct tui_source *s = ((void **)arg)[0];
	struct tui_model *m = ((void **)arg)[1];
	snprintf(m->h.state, sizeof(m->h.state), "%s", w->state);
	snprintf(m->h.progress, sizeof(m->h.progress), "%s", w->progress ? w->progress : "");
	struct db_ctx c = {m, w->running};
	return rdb_each_feature(s->db, s->wl, db_feature, &c);
}

static int db_refresh(struct tui_source *s, struct tui_model *m, char *err, size_t errlen)
{
	char *json = rdb_run_stats(s->db, s->wl, RDB_BASELINE, 0, 0);
	if (json && src_parse_stats(json, m, err, errlen)) {
		free(json);
		return -1;
	}
	free(json);
	snprintf(m->h.source, sizeof(m->h.source), "database");
	snprintf(m->h.title, sizeof(m->h.title), "%s (%.120s)", s->workload, s->path);
	void *arg[] = {s, m};
	return rdb_workload_row(s->db, s->wl, db_row, arg) ? -1 : 0;
}

int src_refresh(struct tui_source *s, struct tui_model *m, char *err, size_t errlen)
{
	uint64_t now = now_ns();
	double dt = m->refreshed_ns ? (double)(now - m->refreshed_ns) / 1e9 : 0;
	int r;
	tm_begin(m);
	if (s->kind == SRC_LIVE) {
		r = live_refresh(s, m);
	} else if (s->kind == SRC_JSON) {
		r = src_parse_stats(s->json, m, err, errlen);
		snprintf(m->h.source, sizeof(m->h.source), "stats file");
		snprintf(m->h.state, sizeof(m->h.state), "ended");
	} else {
		r = db_refresh(s, m, err, errlen);
	}
	tm_end(m, s->kind == SRC_LIVE ? dt : 0);
	m->refreshed_ns = now;
	return r;
}
