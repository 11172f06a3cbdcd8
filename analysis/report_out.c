/* The report's four formats (report.h): text for a person, CSV with one
 * row per feature for a spreadsheet, JSON for programs, Markdown for a
 * document. */
#include "analysis/report.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define WRAP_COLUMNS 100

/* The verdicts in the order reports show them. */
static const enum feat_class shown[] = {FC_REQUIRED, FC_STUB, FC_FAKE, FC_BOTH, FC_FLAKY, FC_PENDING};
#define NSHOWN ((int)(sizeof(shown) / sizeof(shown[0])))

static const char *const kind_title[REPORT_KINDS] = {"syscalls", "sub-features", "pseudo-files"};
static const char *const kind_key[REPORT_KINDS] = {"syscalls", "sub_features", "pseudo_files"};
static const char *const kind_csv[REPORT_KINDS] = {"call", "sub", "path"};

/* A verdict for a person: "stub-only" says more than "stub". */
static const char *label(enum feat_class c)
{
	switch (c) {
	case FC_UNUSED: return "-";
	case FC_STUB: return "stub-only";
	case FC_FAKE: return "fake-only";
	default: return feat_class_name(c);
	}
}

/* Loupe's data has no flaky or pending verdicts. */
static bool loupe_has(enum feat_class c)
{
	return c != FC_FLAKY && c != FC_PENDING;
}

/* The share of used calls that can be stubbed or faked, in percent. */
static double avoidable(const int *c)
{
	return c[FC_UNUSED] ? 100.0 * (c[FC_STUB] + c[FC_FAKE] + c[FC_BOTH]) / c[FC_UNUSED] : NAN;
}

/* The share of c's used calls that can be stubbed or faked in a column
 * of that width, or "-" when none is used; then `after`. */
static void share(FILE *f, const int *c, int width, const char *after)
{
	if (c[FC_UNUSED])
		fprintf(f, "%*.1f%%%s", width - 1, avoidable(c), after);
	else
		fprintf(f, "%*s%s", width, "-", after);
}

/* Traced system calls the static analysis did not find (vDSO calls
 * would be such: not in any file it reads); calls fn for each. */
static int not_static(const struct report_wl *w, void (*fn)(FILE *, const char *, int), FILE *f)
{
	int n = 0;
	for (int i = 0; w->nstatic >= 0 && i < w->nfeats; i++) {
		const struct report_feat *ft = &w->feats[i];
		if (ft->kind != RDB_CALL || (ft->nr >= 0 && ft->nr < SC_TABLE_SIZE && w->in_static[ft->nr]))
			continue;
		if (fn)
			fn(f, ft->name, n);
		n++;
	}
	return n;
}

static int total_runs(const struct report_wl *w, bool ok)
{
	int n = 0;
	for (int k = 0; k < RDB__RUN_KINDS; k++)
		n += ok ? w->ok[k] : w->runs[k];
	return n;
}

/* ------------------------------------------------------------ text */

/* A word of a wrapped list: starts a new line when it would pass the
 * margin.  *col is the current column. */
static void wrap_word(FILE *f, const char *word, bool first, int indent, int *col)
{
	int len = (int)strlen(word) + (first ? 0 : 2);
	if (!first && *col + len > WRAP_COLUMNS) {
		fprintf(f, ",\n%*s%s", indent, "", word);
		*col = indent + (int)strlen(word);
		return;
	}
	fprintf(f, "%s%s", first ? "" : ", ", word);
	*col += len;
}

static void text_list(FILE *f, const struct report_wl *w, enum rdb_kind kind, enum feat_class c)
{
	int n = w->counts[kind][c], col, k = 0;
	if (!n)
		return;
	col = fprintf(f, "  %s (%d): ", label(c), n);
	for (int i = 0; i < w->nfeats; i++)
		if (w->feats[i].kind == kind && w->feats[i].cls == c) {
			char word[512];
			snprintf(word, sizeof(word), "%s%s", w->feats[i].name, w->feats[i].corrected > 0 ? "*" : "");
			wrap_word(f, word, !k++, 4, &col);
		}
	fputc('\n', f);
}

/* A verdict the final run corrected deserves a word: each alone was
 * avoidable, only together with the others it is not. */
static int corrected_count(const struct report_wl *w)
{
	int n = 0;
	for (int i = 0; i < w->nfeats; i++)
		n += w->feats[i].corrected > 0;
	return n;
}

static const char corrected_note[] =
	"* avoidable alone, required with the others avoided: corrected by the final run's bisection";

static void text_counts_row(FILE *f, const char *title, const int *c, bool ours)
{
	fprintf(f, "%-14s %5d", title, c[FC_UNUSED]);
	for (int i = 0; i < NSHOWN; i++)
		if (ours || loupe_has(shown[i]))
			fprintf(f, "  %*d", (int)strlen(label(shown[i])), c[shown[i]]);
		else
			fprintf(f, "  %*s", (int)strlen(label(shown[i])), "-");
}

static void text_counts_head(FILE *f)
{
	fprintf(f, "%-14s %5s", "", "used");
	for (int i = 0; i < NSHOWN; i++)
		fprintf(f, "  %s", label(shown[i]));
}

static void text_run_line(FILE *f, const struct report_wl *w)
{
	int n = 0;
	fprintf(f, "runs: %d recorded, %d passed", total_runs(w, false), total_runs(w, true));
	for (int k = 0; k < RDB__RUN_KINDS; k++)
		if (w->runs[k])
			fprintf(f, "%s%s %d/%d", n++ ? ", " : " (", rdb_run_kind_name((enum rdb_run_kind)k), w->ok[k],
				w->runs[k]);
	fputs(n ? ")\n" : "\n", f);
}

static void text_baseline(FILE *f, const struct rdb_summary *b)
{
	if (!b->runs)
		fputs("baseline: no runs\n", f);
	else if (isnan(b->metric_mean))
		fprintf(f, "baseline: %d/%d passed, no metric\n", b->ok, b->runs);
	else if (isnan(b->metric_sd))
		fprintf(f, "baseline metric: %g (%d/%d passed)\n", b->metric_mean, b->ok, b->runs);
	else
		fprintf(f, "baseline metric: %g \xc2\xb1 %g (%d/%d passed)\n", b->metric_mean, b->metric_sd, b->ok,
			b->runs);
}

static void text_not_static(FILE *f, const char *name, int i)
{
	fprintf(f, "%s%s", i ? ", " : "", name);
}

static void md_not_static(FILE *f, const char *name, int i)
{
	fputs(i ? ", " : "", f);
	out_md_str(f, name);
}

/* Static vs traced vs required (Figure 4), a line each in text, one
 * paragraph in Markdown. */
static void static_sentence(FILE *f, const struct report_wl *w, bool md)
{
	fprintf(f, "%s vs traced vs required (syscalls): ", md ? "Static" : "static");
	if (w->nstatic < 0)
		fputs("static not analysed", f);
	else
		fprintf(f, "%d static", w->nstatic);
	fprintf(f, ", %d traced, %d required%s", w->counts[RDB_CALL][FC_UNUSED], w->counts[RDB_CALL][FC_REQUIRED],
		md ? "." : "\n");
	int n = not_static(w, NULL, f);
	if (n) {
		fprintf(f, "%s found statically (%d): ", md ? " Traced but not" : "traced but not", n);
		not_static(w, md ? md_not_static : text_not_static, f);
		fputc(md ? '.' : '\n', f);
	}
}

static void text_header(FILE *f, const struct report_wl *w)
{
	const struct dbsel_row *r = w->row;
	fprintf(f, "== %s ==\n", r->name);
	fprintf(f, "row %lld, created %s, campaign %s\n", (long long)r->id, r->created ? r->created : "?",
		r->state ? r->state : "?");
	fprintf(f, "definition %s, binaries %s\n", r->def_hash ? r->def_hash : "?", r->bin_hash ? r->bin_hash : "?");
	text_run_line(f, w);
	text_baseline(f, &w->baseline);
}

static void text_compare_rows(FILE *f, const struct report_wl *w, const struct loupe_ref *ref)
{
	uint8_t ours[SC_TABLE_SIZE];
	char buf[16];
	report_our_classes(w, ours);
	fprintf(f, "%5s  %-22s  %-10s  %s\n", "nr", "syscall", "hyperloupe", "Loupe");
	for (int nr = 0; nr < SC_TABLE_SIZE; nr++)
		if (ours[nr] || ref->cls[nr])
			fprintf(f, "%5d  %-22s  %-10s  %-*s%s\n", nr, sc_name_or_nr(nr, buf, sizeof(buf)), label(ours[nr]),
				ours[nr] != ref->cls[nr] ? 10 : 0, label(ref->cls[nr]),
				ours[nr] != ref->cls[nr] ? "  *" : "");
}

static void text_compare(FILE *f, const struct report_wl *w, const struct loupe_ref *ref)
{
	struct report_cmp c;
	report_compare(w, ref, &c);
	fprintf(f, "\ncompared with Loupe (%s), syscalls:\n", ref->source ? ref->source : "?");
	text_counts_head(f);
	fputs("  stub or fake\n", f);
	text_counts_row(f, "hyperloupe", c.ours, true);
	share(f, c.ours, 14, "\n");
	text_counts_row(f, "Loupe", c.loupe, false);
	share(f, c.loupe, 14, "\n");
	fprintf(f, "used by both %d: %d agree, %d disagree; used only here %d, only by Loupe %d\n\n",
		c.agree + c.disagree, c.agree, c.disagree, c.only_ours, c.only_loupe);
	text_compare_rows(f, w, ref);
}

static void text_workload(FILE *f, const struct report_wl *w, const struct loupe_ref *ref)
{
	text_header(f, w);
	fputc('\n', f);
	text_counts_head(f);
	fputc('\n', f);
	for (int k = 0; k < REPORT_KINDS; k++) {
		text_counts_row(f, kind_title[k], w->counts[k], true);
		fputc('\n', f);
	}
	fputc('\n', f);
	static_sentence(f, w, false);
	for (int k = 0; k < REPORT_KINDS; k++) {
		if (!w->counts[k][FC_UNUSED])
			continue;
		fprintf(f, "\n%s\n", kind_title[k]);
		for (int i = 0; i < NSHOWN; i++)
			text_list(f, w, (enum rdb_kind)k, shown[i]);
	}
	if (corrected_count(w))
		fprintf(f, "\n%s\n", corrected_note);
	if (ref)
		text_compare(f, w, ref);
}

static void text_report(FILE *f, const struct report_wl *w, int n, const struct loupe_ref *ref)
{
	for (int i = 0; i < n; i++) {
		fputs(i ? "\n" : "", f);
		text_workload(f, &w[i], ref);
	}
}

/* ------------------------------------------------------------ CSV */

static void csv_row(FILE *f, const char *wl, const struct report_feat *ft, const struct loupe_ref *ref)
{
	out_csv_str(f, wl);
	fprintf(f, ",%s,%d,", kind_csv[ft->kind < REPORT_KINDS ? ft->kind : 0], ft->nr);
	out_csv_str(f, ft->name);
	fprintf(f, ",%llu,%s,", (unsigned long long)ft->count, feat_class_name(ft->cls));
	if (ft->corrected >= 0)
		fprintf(f, "%d", ft->corrected);
	fprintf(f, ",%d,%d,%d,%d", ft->stub.ok, ft->stub.ok + ft->stub.fail, ft->fake.ok, ft->fake.ok + ft->fake.fail);
	if (ref && ft->kind == RDB_CALL)
		fprintf(f, ",%s",
			feat_class_name(ft->nr >= 0 && ft->nr < SC_TABLE_SIZE ? ref->cls[ft->nr] : FC_UNUSED));
	else if (ref)
		fputs(",", f);
	fputc('\n', f);
}

/* Calls Loupe saw that this workload did not: rows of their own, so the
 * comparison is complete in one table. */
static void csv_loupe_only(FILE *f, const struct report_wl *w, const struct loupe_ref *ref)
{
	uint8_t ours[SC_TABLE_SIZE];
	char buf[16];
	report_our_classes(w, ours);
	for (int nr = 0; nr < SC_TABLE_SIZE; nr++)
		if (ref->cls[nr] && !ours[nr]) {
			struct report_feat ft = {.nr = nr,
						 .kind = RDB_CALL,
						 .name = (char *)sc_name_or_nr(nr, buf, sizeof(buf)),
						 .cls = FC_UNUSED,
						 .corrected = -1};
			csv_row(f, w->row->name, &ft, ref);
		}
}

static void csv_report(FILE *f, const struct report_wl *w, int n, const struct loupe_ref *ref)
{
	fprintf(f, "workload,kind,nr,name,count,class,corrected,stub_ok,stub_runs,fake_ok,fake_runs%s\n",
		ref ? ",loupe" : "");
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < w[i].nfeats; j++)
			csv_row(f, w[i].row->name, &w[i].feats[j], ref);
		if (ref)
			csv_loupe_only(f, &w[i], ref);
	}
}

/* ------------------------------------------------------------ JSON */

static void json_counts(FILE *f, const int *c, bool ours)
{
	fprintf(f, "{\"used\": %d", c[FC_UNUSED]);
	for (int i = 0; i < NSHOWN; i++)
		if (ours || loupe_has(shown[i]))
			fprintf(f, ", \"%s\": %d", feat_class_name(shown[i]), c[shown[i]]);
	fputs(", \"stub_or_fake_share\": ", f);
	out_json_num(f, avoidable(c) / 100);
	fputs("}", f);
}

static void json_runs(FILE *f, const struct report_wl *w)
{
	fprintf(f, "{\"total\": %d, \"ok\": %d", total_runs(w, false), total_runs(w, true));
	for (int k = 0; k < RDB__RUN_KINDS; k++)
		fprintf(f, ", \"%s\": {\"runs\": %d, \"ok\": %d}", rdb_run_kind_name((enum rdb_run_kind)k), w->runs[k],
			w->ok[k]);
	fputs("}", f);
}

static void json_baseline(FILE *f, const struct rdb_summary *b)
{
	fprintf(f, "{\"runs\": %d, \"ok\": %d, \"metric_mean\": ", b->runs, b->ok);
	out_json_num(f, b->runs ? b->metric_mean : NAN);
	fputs(", \"metric_sd\": ", f);
	out_json_num(f, b->runs ? b->metric_sd : NAN);
	fputs("}", f);
}

static void json_not_static(FILE *f, const char *name, int i)
{
	fputs(i ? ", " : "", f);
	out_json_str(f, name);
}

static void json_static(FILE *f, const struct report_wl *w)
{
	fputs("{\"static\": ", f);
	if (w->nstatic < 0)
		fputs("null", f);
	else
		fprintf(f, "%d", w->nstatic);
	fprintf(f, ", \"traced\": %d, \"required\": %d, \"traced_not_static\": ", w->counts[RDB_CALL][FC_UNUSED],
		w->counts[RDB_CALL][FC_REQUIRED]);
	if (w->nstatic < 0) {
		fputs("null}", f);
		return;
	}
	fputs("[", f);
	not_static(w, json_not_static, f);
	fputs("]}", f);
}

static void json_feature(FILE *f, const struct report_feat *ft)
{
	fprintf(f, "{\"kind\": \"%s\", \"nr\": %d, \"name\": ", kind_csv[ft->kind < REPORT_KINDS ? ft->kind : 0],
		ft->nr);
	out_json_str(f, ft->name);
	fprintf(f, ", \"count\": %llu, \"class\": \"%s\", \"corrected\": ", (unsigned long long)ft->count,
		feat_class_name(ft->cls));
	fputs(ft->corrected < 0 ? "null" : ft->corrected ? "true" : "false", f);
	fprintf(f, ", \"stub\": {\"ok\": %d, \"runs\": %d}, \"fake\": {\"ok\": %d, \"runs\": %d}}", ft->stub.ok,
		ft->stub.ok + ft->stub.fail, ft->fake.ok, ft->fake.ok + ft->fake.fail);
}

static void json_compare(FILE *f, const struct report_wl *w, const struct loupe_ref *ref)
{
	struct report_cmp c;
	report_compare(w, ref, &c);
	fputs(",\n   \"compare\": {\"source\": ", f);
	out_json_str(f, ref->source);
	fputs(", \"ours\": ", f);
	json_counts(f, c.ours, true);
	fputs(", \"loupe\": ", f);
	json_counts(f, c.loupe, false);
	fprintf(f, ", \"agree\": %d, \"disagree\": %d, \"only_ours\": %d, \"only_loupe\": %d, \"loupe_syscalls\": {",
		c.agree, c.disagree, c.only_ours, c.only_loupe);
	char buf[16];
	for (int nr = 0, n = 0; nr < SC_TABLE_SIZE; nr++)
		if (ref->cls[nr]) {
			fputs(n++ ? ", " : "", f);
			out_json_str(f, sc_name_or_nr(nr, buf, sizeof(buf)));
			fprintf(f, ": \"%s\"", feat_class_name(ref->cls[nr]));
		}
	fputs("}}", f);
}

static void json_workload(FILE *f, const struct report_wl *w, const struct loupe_ref *ref)
{
	const struct dbsel_row *r = w->row;
	const char *keys[] = {"name", "def_hash", "bin_hash", "created", "state"};
	const char *vals[] = {r->name, r->def_hash, r->bin_hash, r->created, r->state};
	fprintf(f, "  {\"id\": %lld", (long long)r->id);
	for (int i = 0; i < 5; i++) {
		fprintf(f, ", \"%s\": ", keys[i]);
		out_json_str(f, vals[i]);
	}
	fputs(",\n   \"runs\": ", f);
	json_runs(f, w);
	fputs(",\n   \"baseline\": ", f);
	json_baseline(f, &w->baseline);
	fputs(",\n   \"counts\": {", f);
	for (int k = 0; k < REPORT_KINDS; k++) {
		fprintf(f, "%s\"%s\": ", k ? ", " : "", kind_key[k]);
		json_counts(f, w->counts[k], true);
	}
	fputs("},\n   \"static\": ", f);
	json_static(f, w);
	fputs(",\n   \"features\": [", f);
	for (int i = 0; i < w->nfeats; i++) {
		fputs(i ? ",\n     " : "\n     ", f);
		json_feature(f, &w->feats[i]);
	}
	fputs("]", f);
	if (ref)
		json_compare(f, w, ref);
	fputs("}", f);
}

static void json_report(FILE *f, const struct report_wl *w, int n, const struct loupe_ref *ref)
{
	fputs("[", f);
	for (int i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", f);
		json_workload(f, &w[i], ref);
	}
	fputs("\n]\n", f);
}

/* ------------------------------------------------------------ Markdown */

static void md_counts_head(FILE *f, const char *first, const char *extra)
{
	fprintf(f, "| %s | used |", first);
	for (int i = 0; i < NSHOWN; i++)
		fprintf(f, " %s |", label(shown[i]));
	fprintf(f, "%s\n| --- | ---: |", extra);
	for (int i = 0; i < NSHOWN; i++)
		fputs(" ---: |", f);
	fputs(*extra ? " ---: |\n" : "\n", f);
}

static void md_counts_row(FILE *f, const char *title, const int *c, bool ours)
{
	fprintf(f, "| %s | %d |", title, c[FC_UNUSED]);
	for (int i = 0; i < NSHOWN; i++)
		if (ours || loupe_has(shown[i]))
			fprintf(f, " %d |", c[shown[i]]);
		else
			fputs(" - |", f);
}

static void md_lists(FILE *f, const struct report_wl *w)
{
	for (int k = 0; k < REPORT_KINDS; k++)
		for (int i = 0; i < NSHOWN; i++) {
			if (!w->counts[k][shown[i]])
				continue;
			fprintf(f, "- %s, %s (%d):", kind_title[k], label(shown[i]), w->counts[k][shown[i]]);
			for (int j = 0, n = 0; j < w->nfeats; j++)
				if (w->feats[j].kind == (enum rdb_kind)k && w->feats[j].cls == shown[i]) {
					fputs(n++ ? ", " : " ", f);
					out_md_str(f, w->feats[j].name);
					if (w->feats[j].corrected > 0)
						fputs("\\*", f);
				}
			fputc('\n', f);
		}
	if (corrected_count(w))
		fprintf(f, "\n\\%s\n", corrected_note);
}

static void md_compare_rows(FILE *f, const struct report_wl *w, const struct loupe_ref *ref)
{
	uint8_t ours[SC_TABLE_SIZE];
	char buf[16];
	report_our_classes(w, ours);
	fputs("| nr | syscall | hyperloupe | Loupe | |\n| ---: | --- | --- | --- | --- |\n", f);
	for (int nr = 0; nr < SC_TABLE_SIZE; nr++)
		if (ours[nr] || ref->cls[nr]) {
			fprintf(f, "| %d | ", nr);
			out_md_str(f, sc_name_or_nr(nr, buf, sizeof(buf)));
			fprintf(f, " | %s | %s | %s |\n", label(ours[nr]), label(ref->cls[nr]),
				ours[nr] != ref->cls[nr] ? "differs" : "");
		}
}

static void md_compare(FILE *f, const struct report_wl *w, const struct loupe_ref *ref)
{
	struct report_cmp c;
	report_compare(w, ref, &c);
	fputs("\n### Compared with Loupe (", f);
	out_md_str(f, ref->source);
	fputs(")\n\n", f);
	md_counts_head(f, "syscalls", " stub or fake |");
	md_counts_row(f, "hyperloupe", c.ours, true);
	share(f, c.ours, 6, " |\n");
	md_counts_row(f, "Loupe", c.loupe, false);
	share(f, c.loupe, 6, " |\n");
	fputc('\n', f);
	fprintf(f, "Used by both: %d (%d agree, %d disagree); used only here: %d; only by Loupe: %d.\n\n",
		c.agree + c.disagree, c.agree, c.disagree, c.only_ours, c.only_loupe);
	md_compare_rows(f, w, ref);
}

static void md_workload(FILE *f, const struct report_wl *w, const struct loupe_ref *ref)
{
	const struct dbsel_row *r = w->row;
	fputs("## ", f);
	out_md_str(f, r->name);
	fprintf(f, "\n\n- row %lld, created %s, campaign %s\n", (long long)r->id, r->created ? r->created : "?",
		r->state ? r->state : "?");
	fprintf(f, "- definition `%s`, binaries `%s`\n- ", r->def_hash ? r->def_hash : "?",
		r->bin_hash ? r->bin_hash : "?");
	text_run_line(f, w);
	fputs("- ", f);
	text_baseline(f, &w->baseline);
	fputc('\n', f);
	md_counts_head(f, "", "");
	for (int k = 0; k < REPORT_KINDS; k++) {
		md_counts_row(f, kind_title[k], w->counts[k], true);
		fputc('\n', f);
	}
	fputc('\n', f);
	static_sentence(f, w, true);
	fputs("\n\n", f);
	md_lists(f, w);
	if (ref)
		md_compare(f, w, ref);
}

static void md_report(FILE *f, const struct report_wl *w, int n, const struct loupe_ref *ref)
{
	for (int i = 0; i < n; i++) {
		fputs(i ? "\n" : "", f);
		md_workload(f, &w[i], ref);
	}
}

int report_print(FILE *f, enum out_format fmt, const struct report_wl *w, int n, const struct loupe_ref *ref)
{
	static void (*const print[OUT__COUNT])(FILE *, const struct report_wl *, int, const struct loupe_ref *) = {
		text_report, csv_report, json_report, md_report};
	if (fmt >= OUT__COUNT) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	print[fmt](f, w, n, ref);
	return out_finish(f);
}
