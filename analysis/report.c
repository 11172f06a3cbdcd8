/* What a report reads: the database, Loupe's published verdicts
 * (report.h).  The output is in report_out.c. */
#include "analysis/report.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ database */

/* Features, grown as rdb_each_feature hands them over. */
struct feats {
	struct report_wl *w;
	struct rdb *db;
	int cap;
};

static int take_feature(const struct rdb_feature *f, void *arg)
{
	struct feats *fs = arg;
	struct report_wl *w = fs->w;
	if (w->nfeats == fs->cap) {
		int cap = fs->cap ? 2 * fs->cap : 64;
		struct report_feat *v = realloc(w->feats, (size_t)cap * sizeof(*v));
		if (!v)
			return -1;
		w->feats = v, fs->cap = cap;
	}
	struct report_feat *r = &w->feats[w->nfeats];
	*r = (struct report_feat){.id = f->id,
				  .nr = f->nr,
				  .kind = f->kind,
				  .name = strdup(f->name ? f->name : "?"),
				  .count = f->count,
				  .cls = f->cls,
				  .corrected = f->corrected};
	if (!r->name)
		return -1;
	r->stub = rdb_replicas(fs->db, f->id, RDB_STUB, 0);
	r->fake = rdb_replicas(fs->db, f->id, RDB_FAKE, 0);
	w->nfeats++;
	return 0;
}

static void count_classes(struct report_wl *w)
{
	for (int i = 0; i < w->nfeats; i++) {
		const struct report_feat *f = &w->feats[i];
		if ((unsigned)f->kind >= REPORT_KINDS || f->cls >= FC__COUNT)
			continue;
		w->counts[f->kind][FC_UNUSED]++;
		if (f->cls != FC_UNUSED)
			w->counts[f->kind][f->cls]++;
	}
}

int report_load(struct rdb *db, const struct dbsel_row *row, struct report_wl *w)
{
	struct feats fs = {w, db, 0};
	memset(w, 0, sizeof(*w));
	w->row = row;
	if (rdb_each_feature(db, row->id, take_feature, &fs) || rdb_run_counts(db, row->id, w->runs, w->ok) ||
	    rdb_summary(db, row->id, RDB_BASELINE, 0, &w->baseline)) {
		report_wl_free(w);
		return -1;
	}
	count_classes(w);
	w->nstatic = dbsel_static(row->static_nrs, w->in_static, SC_TABLE_SIZE);
	return 0;
}

void report_wl_free(struct report_wl *w)
{
	for (int i = 0; i < w->nfeats; i++)
		free(w->feats[i].name);
	free(w->feats);
	w->feats = NULL;
	w->nfeats = 0;
}

/* ------------------------------------------------------------ loupedb */

#define LOUPE_FIELDS 5

static const char *const loupe_columns[LOUPE_FIELDS] = {"syscall", "used", "works_faked", "works_stubbed",
							"works_both"};

/* Splits line at commas into at most max trimmed fields; their number
 * (more than max when there are too many). */
static int split(char *line, char **field, int max)
{
	int n = 0;
	for (char *p = line;; p++) {
		char *end = p + strcspn(p, ",");
		bool last = !*end;
		*end = 0;
		while (isspace((unsigned char)*p))
			p++;
		for (char *e = end; e > p && isspace((unsigned char)e[-1]);)
			*--e = 0;
		if (n < max)
			field[n] = p;
		n++;
		if (last)
			return n;
		p = end;
	}
}

/* Y or N (either case) as 1 or 0, -1 otherwise. */
static int yes_no(const char *s)
{
	if (!strcmp(s, "Y") || !strcmp(s, "y"))
		return 1;
	return !strcmp(s, "N") || !strcmp(s, "n") ? 0 : -1;
}

/* Loupe's class from its flags: works_both, or stubbing and faking each
 * working, is "both". */
static enum feat_class loupe_class(const int *yn)
{
	if (!yn[1])
		return FC_UNUSED;
	if (yn[4] || (yn[2] && yn[3]))
		return FC_BOTH;
	return yn[2] ? FC_FAKE : yn[3] ? FC_STUB : FC_REQUIRED;
}

static int syscall_field(const char *s)
{
	char *end;
	long nr = strtol(s, &end, 10);
	if (end != s && !*end)
		return nr >= 0 && nr < SC_TABLE_SIZE ? (int)nr : -1;
	return sc_by_name(s);
}

/* One line of data; -1 with the message (without FNAME:LINE). */
static int loupe_line(char *line, struct loupe_ref *ref, unsigned char *seen, char *err, size_t errlen)
{
	char *field[LOUPE_FIELDS];
	int yn[LOUPE_FIELDS], n = split(line, field, LOUPE_FIELDS);
	if (n != LOUPE_FIELDS)
		return snprintf(err, errlen,
				"%d fields, expected %d (syscall,used,works_faked,works_stubbed,works_both)", n,
				LOUPE_FIELDS),
		       -1;
	int nr = syscall_field(field[0]);
	if (nr < 0)
		return snprintf(err, errlen, "unknown system call '%s'", field[0]), -1;
	if (seen[nr])
		return snprintf(err, errlen, "system call %s listed twice", field[0]), -1;
	for (int i = 1; i < LOUPE_FIELDS; i++)
		if ((yn[i] = yes_no(field[i])) < 0)
			return snprintf(err, errlen, "%s: '%s', expected Y or N", loupe_columns[i], field[i]), -1;
	if (!yn[1] && (yn[2] || yn[3] || yn[4]))
		return snprintf(err, errlen, "system call %s not used but works with it stubbed or faked", field[0]),
		       -1;
	seen[nr] = 1;
	ref->cls[nr] = (uint8_t)loupe_class(yn);
	return 0;
}

/* A header line names the columns instead of giving a number. */
static bool is_header(const char *line)
{
	return !strncmp(line + strspn(line, " \t"), "syscall", 7);
}

int loupe_read(FILE *f, const char *fname, struct loupe_ref *ref, char *err, size_t errlen)
{
	char line[512], why[256];
	unsigned char seen[SC_TABLE_SIZE] = {0};
	int lineno = 0, data = 0;
	memset(ref->cls, 0, sizeof(ref->cls));
	ref->source = fname;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f))
			return snprintf(err, errlen, "%s:%d: line too long", fname, lineno), -1;
		line[strcspn(line, "\r\n")] = 0;
		const char *p = line + strspn(line, " \t");
		if (!*p || *p == '#' || (!data++ && is_header(p)))
			continue;
		if (loupe_line(line, ref, seen, why, sizeof(why)))
			return snprintf(err, errlen, "%s:%d: %s", fname, lineno, why), -1;
	}
	if (ferror(f))
		return snprintf(err, errlen, "%s: %s", fname, strerror(errno)), -1;
	return 0;
}

/* ------------------------------------------------------------ comparison */

void report_our_classes(const struct report_wl *w, uint8_t *ours)
{
	memset(ours, 0, SC_TABLE_SIZE);
	for (int i = 0; i < w->nfeats; i++)
		if (w->feats[i].kind == RDB_CALL && w->feats[i].nr >= 0 && w->feats[i].nr < SC_TABLE_SIZE)
			ours[w->feats[i].nr] = (uint8_t)(w->feats[i].cls == FC_UNUSED ? FC_PENDING : w->feats[i].cls);
}

void report_compare(const struct report_wl *w, const struct loupe_ref *ref, struct report_cmp *c)
{
	uint8_t ours[SC_TABLE_SIZE];
	memset(c, 0, sizeof(*c));
	report_our_classes(w, ours);
	for (int nr = 0; nr < SC_TABLE_SIZE; nr++) {
		int a = ours[nr], b = ref->cls[nr];
		if (a)
			c->ours[FC_UNUSED]++, c->ours[a]++;
		if (b)
			c->loupe[FC_UNUSED]++, c->loupe[b]++;
		if (a && b)
			*(a == b ? &c->agree : &c->disagree) += 1;
		else if (a || b)
			*(a ? &c->only_ours : &c->only_loupe) += 1;
	}
}
