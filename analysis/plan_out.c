/* Support plans in and out (plan_out.h). */
#include "analysis/plan_out.h"
#include "analysis/svgplot.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WRAP_COLUMNS 100

/* ------------------------------------------------------------ input */

/* The number of a system call given by name or number, or -1. */
static int parse_call(const char *tok)
{
	if (isdigit((unsigned char)tok[0])) {
		char *end;
		long nr = strtol(tok, &end, 10);
		return !*end && sc_lookup(nr) ? (int)nr : -1;
	}
	return sc_by_name(tok);
}

/* Adds the calls of one line (several may share it, separated by blanks or
 * commas); -1 with the message at the first unknown one. */
static int os_line(char *line, const char *fname, int lineno, struct scset *os, char *err, size_t errlen)
{
	line[strcspn(line, "#\r\n")] = 0;
	for (char *save, *tok = strtok_r(line, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		int nr = parse_call(tok);
		if (nr < 0) {
			snprintf(err, errlen, "%s:%d: unknown system call '%s'", fname, lineno, tok);
			return -1;
		}
		scset_add(os, nr);
	}
	return 0;
}

int plan_read_os(FILE *f, const char *fname, struct scset *os, char *err, size_t errlen)
{
	char line[1024];
	int lineno = 0;
	memset(os, 0, sizeof(*os));
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line too long", fname, lineno);
			return -1;
		}
		if (os_line(line, fname, lineno, os, err, errlen))
			return -1;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", fname, strerror(errno));
		return -1;
	}
	return 0;
}

static int take_call(const struct rdb_feature *f, void *arg)
{
	struct plan_app *app = arg;
	if (f->kind == RDB_CALL && f->nr >= 0 && f->nr < SC_TABLE_SIZE)
		app->cls[f->nr] = (uint8_t)f->cls;
	return 0;
}

int plan_load_app(struct rdb *db, int64_t workload, struct plan_app *app)
{
	memset(app->cls, 0, sizeof(app->cls));
	return rdb_each_feature(db, workload, take_call, app) ? -1 : 0;
}

/* ------------------------------------------------------------ plans */

int plan_compute(const struct plan_app *apps, int napps, const struct scset *os, struct plan_result *r)
{
	size_t n = (size_t)napps + 1;
	*r = (struct plan_result){.apps = apps, .napps = napps, .os = *os};
	r->loupe = malloc(n * sizeof(*r->loupe));
	r->naive = malloc(n * sizeof(*r->naive));
	r->loupe_at = malloc(n * sizeof(int));
	r->naive_at = malloc(n * sizeof(int));
	if (!r->loupe || !r->naive || !r->loupe_at || !r->naive_at) {
		plan_result_free(r);
		return -1;
	}
	r->nloupe = plan_build(apps, napps, os, r->loupe, r->loupe_at);
	r->nnaive = plan_naive(apps, napps, os, r->naive, r->naive_at);
	return 0;
}

void plan_result_free(struct plan_result *r)
{
	free(r->loupe), free(r->naive), free(r->loupe_at), free(r->naive_at);
	r->loupe = r->naive = NULL;
	r->loupe_at = r->naive_at = NULL;
}

/* ------------------------------------------------------------ lists */

static void put_item(FILE *f, enum out_format fmt, const char *s)
{
	if (fmt == OUT_JSON)
		out_json_str(f, s);
	else if (fmt == OUT_MD)
		out_md_str(f, s);
	else
		fputs(s, f);
}

/* The calls of s: a JSON array, a space-separated CSV value (quoted by the
 * caller), or comma-separated words. */
static void list_calls(FILE *f, enum out_format fmt, const struct scset *s)
{
	char buf[16];
	int n = 0;
	fputs(fmt == OUT_JSON ? "[" : "", f);
	for (int nr = 0; nr < SC_TABLE_SIZE; nr++)
		if (scset_has(s, nr)) {
			fputs(!n++ ? "" : fmt == OUT_CSV ? " " : ", ", f);
			put_item(f, fmt, sc_name_or_nr(nr, buf, sizeof(buf)));
		}
	fputs(fmt == OUT_JSON ? "]" : "", f);
}

/* The applications that run from step `step` on, the one it was made for
 * first. */
static void list_unlocked(FILE *f, enum out_format fmt, const struct plan_result *r, const struct plan_step *steps,
			  const int *at, int step)
{
	int first = steps[step].app, n = 0;
	fputs(fmt == OUT_JSON ? "[" : "", f);
	for (int k = -1; k < r->napps; k++) {
		int a = k < 0 ? first : k;
		if (a < 0 || at[a] != step || (k >= 0 && a == first))
			continue;
		fputs(!n++ ? "" : fmt == OUT_CSV ? " " : ", ", f);
		put_item(f, fmt, r->apps[a].name);
	}
	fputs(fmt == OUT_JSON ? "]" : "", f);
}

/* What a list writes, as a malloc'd string (for CSV quoting and text
 * wrapping); NULL when out of memory. */
static char *captured(void (*write)(FILE *, void *), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	write(m, arg);
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	return buf;
}

struct list_arg {
	enum out_format fmt;
	const struct plan_result *r;
	const struct plan_step *steps;
	const int *at;
	int step;
	const struct scset *set; /* NULL: the applications of the step */
};

static void write_list(FILE *f, void *arg)
{
	struct list_arg *a = arg;
	if (a->set)
		list_calls(f, a->fmt, a->set);
	else
		list_unlocked(f, a->fmt, a->r, a->steps, a->at, a->step);
}

/* ------------------------------------------------------------ text */

/* Words of s, wrapped at WRAP_COLUMNS; continuation lines start at
 * column `indent`, the first line at `col`. */
static void wrap(FILE *f, const char *s, int indent, int col)
{
	bool first = true;
	while (*s) {
		int len = (int)strcspn(s, " ");
		if (!first && col + 1 + len > WRAP_COLUMNS) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', f), col++;
		}
		fwrite(s, 1, (size_t)len, f);
		col += len, first = false;
		s += len;
		s += strspn(s, " ");
	}
	fputc('\n', f);
}

static void todo_part(FILE *f, const char *what, const struct scset *s, bool *any)
{
	if (!scset_count(s))
		return;
	fprintf(f, "%s%s ", *any ? "; " : "", what);
	list_calls(f, OUT_TEXT, s);
	*any = true;
}

static void write_todo(FILE *f, void *arg)
{
	const struct plan_step *s = arg;
	bool any = false;
	todo_part(f, "implement", &s->implement, &any);
	todo_part(f, "stub", &s->stub, &any);
	todo_part(f, "fake", &s->fake, &any);
	if (!any)
		fputs("-", f);
}

static char *step_apps(const struct plan_result *r, int step, enum out_format fmt)
{
	struct list_arg a = {fmt, r, r->loupe, r->loupe_at, step, NULL};
	return captured(write_list, &a);
}

static int app_column(const struct plan_result *r)
{
	int w = 12;
	for (int s = 1; s < r->nloupe; s++) {
		char *apps = step_apps(r, s, OUT_TEXT);
		int len = apps ? (int)strlen(apps) + 2 : 0;
		w = len > w ? len : w;
		free(apps);
	}
	return w > 28 ? 28 : w;
}

static void text_header(FILE *f, const struct plan_result *r)
{
	fprintf(f, "OS: %d system calls; %d applications, %d of them run already", scset_count(&r->os), r->napps,
		r->loupe[0].supported);
	if (r->loupe[0].supported) {
		fputs(": ", f);
		list_unlocked(f, OUT_TEXT, r, r->loupe, r->loupe_at, 0);
	}
	fputs("\n\n", f);
}

static void text_footer(FILE *f, const struct plan_result *r)
{
	struct scset stubbed, faked;
	const struct plan_step *last = &r->loupe[r->nloupe - 1], *naive = &r->naive[r->nnaive - 1];
	plan_final(r->loupe, r->nloupe, &stubbed, &faked);
	fprintf(f, "\nLoupe's order: %d system calls implemented, %d stubbed and %d faked: %d of %d applications\n",
		last->implemented, scset_count(&stubbed), scset_count(&faked), last->supported, r->napps);
	fprintf(f, "implementing everything traced: %d system calls for %d applications\n", naive->implemented,
		naive->supported);
}

static int text_plan(FILE *f, const struct plan_result *r)
{
	int w = app_column(r);
	text_header(f, r);
	fprintf(f, "step  impl  apps  %-*s  to do\n", w, "application");
	for (int s = 0; s < r->nloupe; s++) {
		const struct plan_step *st = &r->loupe[s];
		char head[64], *apps = s ? step_apps(r, s, OUT_TEXT) : NULL, *todo = captured(write_todo, (void *)st);
		if (s)
			snprintf(head, sizeof(head), "+ %s", apps ? apps : "?");
		else
			snprintf(head, sizeof(head), "(%d app%s)", st->supported, st->supported == 1 ? "" : "s");
		fprintf(f, "%4d  %4d  %4d  %-*s  ", s, st->implemented, st->supported, w, head);
		wrap(f, todo ? todo : "?", 20 + w, 20 + w);
		free(apps), free(todo);
	}
	text_footer(f, r);
	return 0;
}

/* ------------------------------------------------------------ CSV, Markdown */

static void csv_list(FILE *f, struct list_arg *a)
{
	char *s = captured(write_list, a);
	out_csv_str(f, s ? s : "");
	free(s);
}

static int csv_plan(FILE *f, const struct plan_result *r)
{
	fputs("step,unlocks,implement,stub,fake,implemented,supported\n", f);
	for (int s = 0; s < r->nloupe; s++) {
		const struct plan_step *st = &r->loupe[s];
		struct list_arg a = {OUT_CSV, r, r->loupe, r->loupe_at, s, NULL};
		fprintf(f, "%d,", s);
		csv_list(f, &a);
		const struct scset *sets[] = {&st->implement, &st->stub, &st->fake};
		for (int i = 0; i < 3; i++) {
			a.set = sets[i];
			fputc(',', f);
			csv_list(f, &a);
		}
		fprintf(f, ",%d,%d\n", st->implemented, st->supported);
	}
	return 0;
}

static void md_cell(FILE *f, const struct scset *s)
{
	fputs(" ", f);
	if (scset_count(s))
		list_calls(f, OUT_MD, s);
	else
		fputs("-", f);
	fputs(" |", f);
}

static int md_plan(FILE *f, const struct plan_result *r)
{
	fprintf(f, "OS: %d system calls; %d applications.\n\n", scset_count(&r->os), r->napps);
	fputs("| step | support for | implement | stub | fake | implemented | apps |\n", f);
	fputs("| ---: | --- | --- | --- | --- | ---: | ---: |\n", f);
	for (int s = 0; s < r->nloupe; s++) {
		const struct plan_step *st = &r->loupe[s];
		fprintf(f, "| %d | ", s);
		if (s) {
			fputs("+ ", f);
			list_unlocked(f, OUT_MD, r, r->loupe, r->loupe_at, s);
		} else
			fprintf(f, "(%d app%s)", st->supported, st->supported == 1 ? "" : "s");
		fputs(" |", f);
		md_cell(f, &st->implement);
		md_cell(f, &st->stub);
		md_cell(f, &st->fake);
		fprintf(f, " %d | %d |\n", st->implemented, st->supported);
	}
	return 0;
}

/* ------------------------------------------------------------ JSON */

static void json_steps(FILE *f, const struct plan_result *r, const struct plan_step *steps, int n, const int *at)
{
	fputs("[", f);
	for (int s = 0; s < n; s++) {
		fprintf(f, "%s\n    {\"step\": %d, \"unlocks\": ", s ? "," : "", s);
		list_unlocked(f, OUT_JSON, r, steps, at, s);
		fputs(", \"implement\": ", f);
		list_calls(f, OUT_JSON, &steps[s].implement);
		fputs(", \"stub\": ", f);
		list_calls(f, OUT_JSON, &steps[s].stub);
		fputs(", \"fake\": ", f);
		list_calls(f, OUT_JSON, &steps[s].fake);
		fprintf(f, ", \"implemented\": %d, \"supported\": %d}", steps[s].implemented, steps[s].supported);
	}
	fputs("]", f);
}

static int json_plan(FILE *f, const struct plan_result *r)
{
	struct scset stubbed, faked;
	plan_final(r->loupe, r->nloupe, &stubbed, &faked);
	fprintf(f, "{\n  \"version\": 1,\n  \"os\": {\"count\": %d, \"syscalls\": ", scset_count(&r->os));
	list_calls(f, OUT_JSON, &r->os);
	fputs("},\n  \"applications\": [", f);
	for (int a = 0; a < r->napps; a++) {
		fputs(a ? ", " : "", f);
		out_json_str(f, r->apps[a].name);
	}
	fputs("],\n  \"loupe\": {\"steps\": ", f);
	json_steps(f, r, r->loupe, r->nloupe, r->loupe_at);
	fprintf(f, ",\n   \"implemented\": %d, \"stubbed\": ", r->loupe[r->nloupe - 1].implemented);
	list_calls(f, OUT_JSON, &stubbed);
	fputs(", \"faked\": ", f);
	list_calls(f, OUT_JSON, &faked);
	fputs("},\n  \"naive\": {\"steps\": ", f);
	json_steps(f, r, r->naive, r->nnaive, r->naive_at);
	fprintf(f, ",\n   \"implemented\": %d}\n}\n", r->naive[r->nnaive - 1].implemented);
	return 0;
}

int plan_print(FILE *f, enum out_format fmt, const struct plan_result *r)
{
	static int (*const print[OUT__COUNT])(FILE *, const struct plan_result *) = {text_plan, csv_plan, json_plan,
										     md_plan};
	if (fmt >= OUT__COUNT) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	print[fmt](f, r);
	return out_finish(f);
}

/* ------------------------------------------------------------ curves */

/* Applications supported once k system calls are implemented in that
 * order (a step counts when all its calls are). */
static int supported_at(const struct plan_step *steps, int n, int k)
{
	int sup = steps[0].supported;
	for (int s = 1; s < n && steps[s].implemented <= k; s++)
		sup = steps[s].supported;
	return sup;
}

static int curve_end(const struct plan_result *r)
{
	int a = r->loupe[r->nloupe - 1].implemented, b = r->naive[r->nnaive - 1].implemented;
	return a > b ? a : b;
}

int plan_curve_csv(FILE *f, const struct plan_result *r)
{
	errno = 0;
	fputs("implemented,loupe_supported,naive_supported\n", f);
	for (int k = 0; k <= curve_end(r); k++)
		fprintf(f, "%d,%d,%d\n", k, supported_at(r->loupe, r->nloupe, k), supported_at(r->naive, r->nnaive, k));
	return out_finish(f);
}

/* The points of one order, the last one carried on to x = end. */
static int curve_points(const struct plan_step *steps, int n, int end, double *x, double *y)
{
	for (int s = 0; s < n; s++)
		x[s] = steps[s].implemented, y[s] = steps[s].supported;
	if (steps[n - 1].implemented < end) {
		x[n] = end, y[n] = steps[n - 1].supported;
		return n + 1;
	}
	return n;
}

int plan_curve_svg(FILE *f, const struct plan_result *r)
{
	size_t n = (size_t)r->napps + 2;
	double *buf = malloc(4 * n * sizeof(double));
	if (!buf)
		return -1;
	char xlabel[96];
	snprintf(xlabel, sizeof(xlabel), "system calls implemented (beyond the OS's %d)", scset_count(&r->os));
	struct svg_axes ax = {.title = "Applications supported vs system calls implemented",
			      .xlabel = xlabel,
			      .ylabel = "applications supported"};
	struct svg_series s[2] = {
		{.label = "Loupe's plan (implement, stub or fake)", .x = buf, .y = buf + n, .steps = true},
		{.label = "implement everything traced", .x = buf + 2 * n, .y = buf + 3 * n, .steps = true},
	};
	int end = curve_end(r);
	s[0].n = curve_points(r->loupe, r->nloupe, end, buf, buf + n);
	s[1].n = curve_points(r->naive, r->nnaive, end, buf + 2 * n, buf + 3 * n);
	int rc = svg_lines(f, &ax, s, 2);
	free(buf);
	return rc;
}
