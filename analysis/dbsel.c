/* Workload rows for the readers of the results database (dbsel.h). */
#include "analysis/dbsel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct rdb *dbsel_open(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
			 errno == ENOENT ? " (no results database: run `hyperloupe explore`, or give --db FILE)" : "");
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a file", path);
		return NULL;
	}
	char why[256] = "";
	struct rdb *db = rdb_open(path, why, sizeof(why));
	if (!db)
		snprintf(err, errlen, "%s: %s", path, why);
	return db;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void free_row(struct dbsel_row *r)
{
	free(r->name), free(r->def_hash), free(r->bin_hash), free(r->created), free(r->state), free(r->static_nrs);
}

void dbsel_free(struct dbsel_row *rows, int n)
{
	for (int i = 0; i < n; i++)
		free_row(&rows[i]);
	free(rows);
}

/* The rows kept so far: at most one per name. */
struct collect {
	struct dbsel_row *v;
	int n, cap;
};

/* Keeps w, replacing the row of its name (rows come oldest first, so the
 * last one seen is the newest).  0, or -1 when out of memory. */
static int keep(const struct rdb_workload_row *w, void *arg)
{
	struct collect *c = arg;
	int i = 0;
	while (i < c->n && strcmp(c->v[i].name, w->name))
		i++;
	if (i == c->n && c->n == c->cap) {
		int cap = c->cap ? 2 * c->cap : 16;
		struct dbsel_row *v = realloc(c->v, (size_t)cap * sizeof(*v));
		if (!v)
			return -1;
		c->v = v, c->cap = cap;
	}
	if (i == c->n)
		c->n++;
	else
		free_row(&c->v[i]);
	c->v[i] = (struct dbsel_row){w->id,
				     strdup(w->name),
				     dup_or_null(w->def_hash),
				     dup_or_null(w->bin_hash),
				     dup_or_null(w->created),
				     dup_or_null(w->state),
				     dup_or_null(w->static_nrs)};
	return c->v[i].name ? 0 : -1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct dbsel_row *)a)->name, ((const struct dbsel_row *)b)->name);
}

/* Whether names[i] came before. */
static bool seen(char *const *names, int i)
{
	for (int j = 0; j < i; j++)
		if (!strcmp(names[j], names[i]))
			return true;
	return false;
}

int dbsel_rows(struct rdb *db, char *const *names, int n, struct dbsel_row **rows, char *err, size_t errlen)
{
	struct collect c = {0};
	int r = 0;
	for (int i = 0; !r && i < (n ? n : 1); i++) {
		int had = c.n;
		if (n && seen(names, i))
			continue;
		r = rdb_each_workload(db, n ? names[i] : NULL, keep, &c);
		if (r)
			snprintf(err, errlen, "cannot read the workloads (out of memory, or not a results database)");
		else if (n && c.n == had)
			snprintf(err, errlen, "no workload '%s' in the results database", names[i]), r = -1;
	}
	if (r) {
		dbsel_free(c.v, c.n);
		return -1;
	}
	if (!n && c.n)
		qsort(c.v, (size_t)c.n, sizeof(*c.v), by_name);
	*rows = c.v;
	return c.n;
}

int dbsel_static(const char *s, unsigned char *in, int size)
{
	int n = 0;
	memset(in, 0, (size_t)size);
	if (!s)
		return -1;
	while (*s) {
		char *end;
		long nr = strtol(s, &end, 10);
		if (end == s) {
			s++; /* a separator */
			continue;
		}
		if (nr >= 0 && nr < size && !in[nr])
			in[nr] = 1, n++;
		s = end;
	}
	return n;
}
