/* The model's inputs from a run's statistics (model.h): SQLite's JSON1
 * functions do the parsing, on an in-memory database, so that no JSON
 * parser of our own has to be trusted with whatever file it is given. */
#include "analysis/model.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATS_MAX (256u << 20)

struct reader {
	sqlite3 *db;
	const char *json;
	char *err;
	size_t errlen;
	struct model_input *in;
	int cap;
};

static int fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* sql with the report bound as ?1 and, when given, arg as ?2. */
static sqlite3_stmt *query(struct reader *r, const char *sql, const char *arg)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL)) {
		fail(r, "sqlite: %s", sqlite3_errmsg(r->db));
		return NULL;
	}
	sqlite3_bind_text(st, 1, r->json, -1, SQLITE_STATIC);
	if (arg)
		sqlite3_bind_text(st, 2, arg, -1, SQLITE_STATIC);
	return st;
}

static bool is_number(const unsigned char *type)
{
	return type && (!strcmp((const char *)type, "integer") || !strcmp((const char *)type, "real"));
}

/* The number at path; a missing one is 0 unless required. */
static int number(struct reader *r, const char *path, bool required, double *out)
{
	sqlite3_stmt *st = query(r, "SELECT json_type(?1, ?2), json_extract(?1, ?2)", path);
	if (!st)
		return -1;
	int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : fail(r, "sqlite: %s", sqlite3_errmsg(r->db));
	const unsigned char *type = rc ? NULL : sqlite3_column_text(st, 0);
	*out = 0;
	if (!rc && is_number(type))
		*out = sqlite3_column_double(st, 1);
	else if (!rc && (type || required))
		rc = fail(r, "%s: %s, expected a number", path + 2, type ? (const char *)type : "missing");
	sqlite3_finalize(st);
	return rc;
}

/* The string at path (malloc'd), or NULL when it is not a string. */
static char *text(struct reader *r, const char *path)
{
	sqlite3_stmt *st = query(r, "SELECT json_extract(?1, ?2) WHERE json_type(?1, ?2) = 'text'", path);
	char *s = NULL;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		s = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return s;
}

/* A JSON object of version 3 with a syscalls object. */
static int check_report(struct reader *r)
{
	sqlite3_stmt *st = query(r,
				 "SELECT json_valid(?1), json_type(?1), json_type(?1, '$.version'),"
				 " json_quote(json_extract(?1, '$.version')), json_type(?1, '$.syscalls')",
				 NULL);
	if (!st)
		return -1;
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_int(st, 0))
		rc = fail(r, "not JSON");
	else if (strcmp((const char *)sqlite3_column_text(st, 1), "object"))
		rc = fail(r, "not a statistics report (a JSON %s)", sqlite3_column_text(st, 1));
	else if (sqlite3_column_type(st, 2) == SQLITE_NULL)
		rc = fail(r, "no \"version\": not a `hyperloupe run --stats` report");
	else if (!is_number(sqlite3_column_text(st, 2)) || sqlite3_column_double(st, 3) != 3)
		rc = fail(r, "statistics version %s, expected 3", sqlite3_column_text(st, 3));
	else if (sqlite3_column_type(st, 4) == SQLITE_NULL || strcmp((const char *)sqlite3_column_text(st, 4), "object"))
		rc = fail(r, "no \"syscalls\" object");
	sqlite3_finalize(st);
	return rc;
}

/* Counts of one unit as read: count, host_ns, forwarded, local, stubbed,
 * faked. */
enum { K_COUNT, K_HOST, K_FWD, K_LOCAL, K_STUB, K_FAKE, K__N };

static int action_of(const double *k)
{
	for (int a = K_FWD; a <= K_FAKE; a++)
		if (k[a] == k[K_COUNT])
			return a - K_FWD;
	return MA_MIXED;
}

static int add_unit(struct reader *r, int nr, const char *name, const double *k)
{
	struct model_input *in = r->in;
	if (in->n == r->cap) {
		int cap = r->cap ? 2 * r->cap : 64;
		void *p = realloc(in->calls, sizeof(*in->calls) * (size_t)cap);
		if (!p)
			return fail(r, "out of memory");
		in->calls = p, r->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return fail(r, "out of memory");
	in->calls[in->n++] = (struct model_call){
		.nr = nr, .name = copy, .g_ns = k[K_HOST], .n_calls = k[K_COUNT],
		.n_local = k[K_LOCAL], .n_free = k[K_STUB] + k[K_FAKE], .action = action_of(k),
	};
	return 0;
}

/* Columns 2.. of a row: the counters (K_*), each a number >= 0 or absent
 * (the outcome counts: 0; count and host_ns are required). */
static int row_counts(struct reader *r, sqlite3_stmt *st, const char *what, double *k)
{
	for (int i = 0; i < K__N; i++) {
		int t = sqlite3_column_type(st, 2 + i);
		k[i] = sqlite3_column_double(st, 2 + i);
		if ((t == SQLITE_NULL && i <= K_HOST) || (t != SQLITE_NULL && t != SQLITE_INTEGER && t != SQLITE_FLOAT) ||
		    !(k[i] >= 0) || !isfinite(k[i]))
			return fail(r, "%s: a missing or bad count or host_ns", what);
	}
	return 0;
}

#define COUNTERS                                                                                             \
	" json_extract(value, '$.count'), json_extract(value, '$.host_ns'),"                                \
	" json_extract(value, '$.forwarded'), json_extract(value, '$.local'),"                             \
	" json_extract(value, '$.stubbed'), json_extract(value, '$.faked')"

static int read_syscalls(struct reader *r)
{
	sqlite3_stmt *st = query(r, "SELECT key, json_extract(value, '$.nr')," COUNTERS
				    " FROM json_each(?1, '$.syscalls') WHERE json_type(value) = 'object'", NULL);
	int rc = st ? 0 : -1;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		double k[K__N];
		const char *name = (const char *)sqlite3_column_text(st, 0);
		char what[128];
		snprintf(what, sizeof(what), "syscalls.%s", name);
		if (sqlite3_column_type(st, 1) != SQLITE_INTEGER)
			rc = fail(r, "%s: no \"nr\"", what);
		else if (!(rc = row_counts(r, st, what, k)) && k[K_COUNT] > 0)
			rc = add_unit(r, sqlite3_column_int(st, 1), name, k);
	}
	sqlite3_finalize(st);
	return rc;
}

static int find_unit(const struct model_input *in, const char *name)
{
	for (int i = 0; i < in->n; i++)
		if (!strcmp(in->calls[i].name, name))
			return i;
	return -1;
}

/* What is left of a call once its features are taken out of it. */
static void take_out(struct model_call *call, const double *k)
{
	call->n_calls = fmax(0, call->n_calls - k[K_COUNT]);
	call->g_ns = fmax(0, call->g_ns - k[K_HOST]);
	call->n_local = fmax(0, call->n_local - k[K_LOCAL]);
	call->n_free = fmax(0, call->n_free - k[K_STUB] - k[K_FAKE]);
}

static int read_features(struct reader *r)
{
	sqlite3_stmt *st = query(r, "SELECT json_extract(value, '$.syscall'),"
				    " coalesce(json_extract(value, '$.sub'), json_extract(value, '$.path'))," COUNTERS
				    " FROM json_each(?1, '$.features')", NULL);
	int rc = st ? 0 : -1, ncalls = r->in->n;
	for (int i = 0; !rc && sqlite3_step(st) == SQLITE_ROW; i++) {
		const char *call = (const char *)sqlite3_column_text(st, 0), *sub = (const char *)sqlite3_column_text(st, 1);
		char what[64], name[512];
		double k[K__N];
		snprintf(what, sizeof(what), "features[%d]", i);
		int c = call ? find_unit(r->in, call) : -1;
		if (c < 0 || c >= ncalls || !sub)
			rc = fail(r, "%s: no such call in \"syscalls\", or no sub or path", what);
		else if (!(rc = row_counts(r, st, what, k)) && k[K_COUNT] > 0) {
			snprintf(name, sizeof(name), "%s:%s", call, sub);
			take_out(&r->in->calls[c], k);
			rc = add_unit(r, r->in->calls[c].nr, name, k);
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static int cmp_unit(const void *pa, const void *pb)
{
	const struct model_call *a = pa, *b = pb;
	return a->nr != b->nr ? (a->nr > b->nr) - (a->nr < b->nr) : strcmp(a->name, b->name);
}

/* Calls whose every call belongs to a feature leave no rest; units in
 * number order, a call's rest before its features. */
static void tidy(struct model_input *in)
{
	int n = 0;
	for (int i = 0; i < in->n; i++) {
		if (in->calls[i].n_calls > 0)
			in->calls[n++] = in->calls[i];
		else
			free((char *)in->calls[i].name);
	}
	in->n = n;
	if (n)
		qsort(in->calls, (size_t)n, sizeof(*in->calls), cmp_unit);
}

static int read_top(struct reader *r)
{
	struct model_input *in = r->in;
	double over, delays, mean;
	if (number(r, "$.user_ns", true, &in->C_ns) || number(r, "$.exit_overhead_ns", true, &over) ||
	    number(r, "$.wall_ns", false, &in->wall_ns) || number(r, "$.forward_delay.delays", false, &delays) ||
	    number(r, "$.forward_delay.achieved_mean_ns", false, &mean) ||
	    number(r, "$.policy.forward_delay_ns", false, &in->source_delay_ns))
		return -1;
	if (in->C_ns < 0 || over < 0)
		return fail(r, "user_ns or exit_overhead_ns below 0");
	/* exit_overhead_ns is wall - user - host: the injected delay is in it. */
	in->E_ns = fmax(0, over - delays * mean);
	in->program = text(r, "$.program");
	in->phase = text(r, "$.agent.phase_filter");
	return 0;
}

int model_input_parse(const char *json, bool features, struct model_input *in, char *err, size_t errlen)
{
	struct reader r = {NULL, json, err, errlen, in, 0};
	memset(in, 0, sizeof(*in));
	if (sqlite3_open(":memory:", &r.db)) {
		sqlite3_close(r.db);
		return fail(&r, "sqlite: cannot open an in-memory database");
	}
	int rc = check_report(&r);
	if (!rc)
		rc = read_top(&r);
	if (!rc)
		rc = read_syscalls(&r);
	if (!rc && features)
		rc = read_features(&r);
	sqlite3_close(r.db);
	if (rc) {
		model_input_free(in);
		return -1;
	}
	tidy(in);
	return 0;
}

/* The whole file (or stdin for "-"), NUL-terminated; NULL with err. */
static char *slurp(const char *path, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0, got = 1;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while (got) {
		char *p = len + 1 < cap ? buf : cap >= STATS_MAX ? NULL : realloc(buf, cap = cap ? 2 * cap : 65536);
		if (!p) {
			snprintf(err, errlen, "%s: too big (or out of memory)", path);
			break;
		}
		buf = p;
		len += got = fread(buf + len, 1, cap - len - 1, f);
	}
	if (!got && ferror(f))
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	bool ok = !got && !ferror(f);
	if (f != stdin)
		fclose(f);
	if (!ok) {
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	return buf;
}

int model_input_load(const char *path, bool features, struct model_input *in, char *err, size_t errlen)
{
	char *json = slurp(path, err, errlen);
	memset(in, 0, sizeof(*in));
	if (!json)
		return -1;
	char why[400];
	int rc = model_input_parse(json, features, in, why, sizeof(why));
	if (rc)
		snprintf(err, errlen, "%s: %s", path, why);
	free(json);
	return rc;
}

void model_input_free(struct model_input *in)
{
	for (int i = 0; i < in->n; i++)
		free((char *)in->calls[i].name);
	free(in->calls);
	free(in->program);
	free(in->phase);
	memset(in, 0, sizeof(*in));
}
