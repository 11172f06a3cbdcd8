/* `hyperloupe plan` (README "Support plans"): a CLI over analysis/plan_out.h. */
#include "cli/plan_cmd.h"

#include "analysis/dbsel.h"
#include "analysis/plan_out.h"
#include "analysis/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char plan_usage[] =
	"usage: hyperloupe plan --os FILE [--db FILE] [--out PREFIX] [--format text|csv|json|md]\n"
	"                       [--partial] [WORKLOAD...]\n"
	"  --os FILE          the system calls the OS has: one per line, by name or\n"
	"                     number, '#' comments (- or none: no system call)\n"
	"  --db FILE          the results database (default ./hyperloupe.db)\n"
	"  --out PREFIX       write the curves of applications supported vs system calls\n"
	"                     implemented to PREFIX.csv and PREFIX.svg (default: plan)\n"
	"  --format F         the plan on stdout: text (default), csv, json (both orders)\n"
	"                     or md\n"
	"  --partial          plan workloads whose campaign is not done too (pending\n"
	"                     verdicts count as required); otherwise they are left out\n"
	"  WORKLOAD...        the newest campaign of each (default: every workload)\n"
	"exit status: 0 ok, 1 a failure (no database, no workload to plan), 2 usage\n";

struct plan_opts {
	const char *os, *db, *out;
	enum out_format fmt;
	bool partial;
};

static void parse_plan_options(int argc, char **argv, struct plan_opts *o)
{
	static const struct option opts[] = {
		{"os", required_argument, NULL, 'o'},
		{"db", required_argument, NULL, 'd'},
		{"out", required_argument, NULL, 'p'},
		{"format", required_argument, NULL, 'f'},
		{"partial", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, fmt;
	optind = 1;
	*o = (struct plan_opts){.db = "hyperloupe.db", .out = "plan", .fmt = OUT_TEXT};
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'o')
			o->os = optarg;
		else if (c == 'd')
			o->db = optarg;
		else if (c == 'p' && *optarg)
			o->out = optarg;
		else if (c == 'f' && (fmt = out_format_parse(optarg)) >= 0)
			o->fmt = (enum out_format)fmt;
		else if (c == 'f')
			hl_fail(2, "plan: --format '%s': text, csv, json or md", optarg);
		else if (c == 'P')
			o->partial = true;
		else if (c == 'h')
			fputs(plan_usage, stdout), exit(0);
		else
			fputs(plan_usage, stderr), exit(2);
	}
	if (!o->os)
		hl_fail(2, "plan: --os FILE is required (--os none: an OS with no system call)");
}

/* The OS's system calls; exits 2 when the file cannot be read or names
 * an unknown call. */
static void read_os(const char *path, struct scset *os)
{
	char err[512];
	memset(os, 0, sizeof(*os));
	if (!strcmp(path, "-") || !strcmp(path, "none"))
		return;
	FILE *f = fopen(path, "r");
	if (!f)
		hl_fail(2, "plan: %s: %s", path, strerror(errno));
	int rc = plan_read_os(f, path, os, err, sizeof(err));
	fclose(f);
	if (rc)
		hl_fail(2, "plan: %s", err);
}

/* The applications of the rows to plan: done campaigns, or all with
 * --partial.  Their number, or -1 (reported). */
static int load_apps(struct rdb *db, const struct dbsel_row *rows, int n, bool partial, struct plan_app *apps)
{
	int napps = 0;
	for (int i = 0; i < n; i++) {
		bool done = rows[i].state && !strcmp(rows[i].state, "done");
		if (!done && !partial) {
			hl_err("plan: %s: campaign %s, not done: left out (--partial plans it)", rows[i].name,
			       rows[i].state ? rows[i].state : "?");
			continue;
		}
		apps[napps].name = rows[i].name;
		if (plan_load_app(db, rows[i].id, &apps[napps])) {
			hl_err("plan: %s: cannot read its features", rows[i].name);
			return -1;
		}
		napps++;
	}
	return napps;
}

/* PREFIX.csv and PREFIX.svg; 0 or -1 (reported). */
static int write_curve(const char *prefix, const char *ext, int (*write)(FILE *, const struct plan_result *),
		       const struct plan_result *r)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s.%s", prefix, ext);
	FILE *f = fopen(path, "w");
	int rc = f ? write(f, r) : -1;
	if (f && fclose(f))
		rc = -1;
	if (rc)
		hl_err("plan: %s: %s", path, strerror(errno));
	return rc;
}

static int plan_and_print(const struct plan_opts *o, const struct plan_app *apps, int napps, const struct scset *os)
{
	struct plan_result r;
	if (plan_compute(apps, napps, os, &r)) {
		hl_err("plan: out of memory");
		return 1;
	}
	int rc = 0;
	if (plan_print(stdout, o->fmt, &r)) {
		hl_err("plan: stdout: %s", strerror(errno));
		rc = 1;
	}
	if (write_curve(o->out, "csv", plan_curve_csv, &r) || write_curve(o->out, "svg", plan_curve_svg, &r))
		rc = 1;
	plan_result_free(&r);
	return rc;
}

int cmd_plan(int argc, char **argv)
{
	struct plan_opts o;
	struct scset os;
	struct dbsel_row *rows;
	char err[512];
	parse_plan_options(argc, argv, &o);
	read_os(o.os, &os);
	struct rdb *db = dbsel_open(o.db, err, sizeof(err));
	if (!db)
		hl_fail(1, "plan: %s", err);
	int n = dbsel_rows(db, argv + optind, argc - optind, &rows, err, sizeof(err));
	if (n < 0) {
		rdb_close(db);
		hl_fail(1, "plan: %s: %s", o.db, err);
	}
	struct plan_app *apps = malloc(((size_t)n + 1) * sizeof(*apps));
	int napps = apps ? load_apps(db, rows, n, o.partial, apps) : -1;
	int rc = 1;
	if (!apps)
		hl_err("plan: out of memory");
	else if (napps == 0)
		hl_err("plan: %s: no workload to plan%s", o.db, n ? " (none is done: --partial)" : "");
	else if (napps > 0)
		rc = plan_and_print(&o, apps, napps, &os);
	free(apps);
	dbsel_free(rows, n);
	rdb_close(db);
	return rc;
}
