/* `hyperloupe report` (README "Reports"): a CLI over analysis/report.h. */
#include "cli/report_cmd.h"

#include "analysis/report.h"
#include "analysis/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char report_usage[] =
	"usage: hyperloupe report [--db FILE] [--format text|csv|json|md] [--compare LOUPE.csv]\n"
	"                         [WORKLOAD...]\n"
	"  --db FILE          the results database (default ./hyperloupe.db)\n"
	"  --format F         text (default), csv (one row per feature), json or md\n"
	"  --compare FILE     put the system call verdicts side by side with Loupe's\n"
	"                     published ones (a loupedb CSV: syscall,used,works_faked,\n"
	"                     works_stubbed,works_both)\n"
	"  WORKLOAD...        the newest campaign of each (default: every workload)\n"
	"exit status: 0 ok, 1 a failure (no database, unknown workload), 2 usage\n";

struct report_opts {
	const char *db, *compare;
	enum out_format fmt;
};

static void parse_report_options(int argc, char **argv, struct report_opts *o)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'f'},
		{"compare", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, fmt;
	optind = 1;
	*o = (struct report_opts){.db = "hyperloupe.db", .fmt = OUT_TEXT};
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'd')
			o->db = optarg;
		else if (c == 'f' && (fmt = out_format_parse(optarg)) >= 0)
			o->fmt = (enum out_format)fmt;
		else if (c == 'f')
			hl_fail(2, "report: --format '%s': text, csv, json or md", optarg);
		else if (c == 'c')
			o->compare = optarg;
		else if (c == 'h')
			fputs(report_usage, stdout), exit(0);
		else
			fputs(report_usage, stderr), exit(2);
	}
}

/* Loupe's verdicts; exits 2 when the file cannot be read or is not such
 * a CSV. */
static void read_compare(const char *path, struct loupe_ref *ref)
{
	char err[512];
	FILE *f = fopen(path, "r");
	if (!f)
		hl_fail(2, "report: %s: %s", path, strerror(errno));
	int rc = loupe_read(f, path, ref, err, sizeof(err));
	fclose(f);
	if (rc)
		hl_fail(2, "report: %s", err);
}

static int load_and_print(struct rdb *db, const struct dbsel_row *rows, int n, const struct report_opts *o,
			  const struct loupe_ref *ref)
{
	struct report_wl *w = calloc((size_t)n + 1, sizeof(*w));
	int loaded = 0, rc = 0;
	if (!w) {
		hl_err("report: out of memory");
		return 1;
	}
	while (loaded < n && !report_load(db, &rows[loaded], &w[loaded]))
		loaded++;
	if (loaded < n) {
		hl_err("report: %s: cannot read workload %s", o->db, rows[loaded].name);
		rc = 1;
	} else if (report_print(stdout, o->fmt, w, n, ref)) {
		hl_err("report: stdout: %s", strerror(errno));
		rc = 1;
	}
	for (int i = 0; i < loaded; i++)
		report_wl_free(&w[i]);
	free(w);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct dbsel_row *rows;
	static struct loupe_ref ref;
	char err[512];
	parse_report_options(argc, argv, &o);
	if (o.compare)
		read_compare(o.compare, &ref);
	struct rdb *db = dbsel_open(o.db, err, sizeof(err));
	if (!db)
		hl_fail(1, "report: %s", err);
	int n = dbsel_rows(db, argv + optind, argc - optind, &rows, err, sizeof(err)), rc = 1;
	if (n < 0)
		hl_err("report: %s: %s", o.db, err);
	else {
		/* An empty database is still a report: JSON [] or the CSV header. */
		if (n == 0 && (o.fmt == OUT_TEXT || o.fmt == OUT_MD))
			hl_err("report: %s: no workloads yet (run `hyperloupe explore`)", o.db);
		rc = load_and_print(db, rows, n, &o, o.compare ? &ref : NULL);
	}
	if (n >= 0)
		dbsel_free(rows, n);
	rdb_close(db);
	return rc;
}
