/* Input and output of support plans (`hyperloupe plan`, README "Support
 * plans"): the OS's list of system calls, the applications from the
 * results database, the plan as Loupe's Table 1 and the curve of its
 * Figure 2 (applications supported vs system calls implemented, Loupe's
 * order against implementing everything traced) as CSV and SVG. */
#ifndef HL_PLAN_OUT_H
#define HL_PLAN_OUT_H

#include "analysis/outfmt.h"
#include "analysis/plan.h"
#include "analysis/resultsdb.h"

#include <stddef.h>
#include <stdio.h>

/* Reads the system calls an OS has: one per line, by name or number,
 * blank lines and '#' comments allowed.  0, or -1 with "FNAME:LINE: what"
 * in err. */
int plan_read_os(FILE *f, const char *fname, struct scset *os, char *err, size_t errlen);

/* Fills app->cls from the system calls (RDB_CALL features) of that
 * workload row; app->name is left as it is.  0 or -1. */
int plan_load_app(struct rdb *db, int64_t workload, struct plan_app *app);

/* Both orders for one set of applications and one OS. */
struct plan_result {
	const struct plan_app *apps;
	int napps;
	struct scset os;
	struct plan_step *loupe, *naive;
	int nloupe, nnaive;
	int *loupe_at, *naive_at; /* per application: the step after which it runs */
};

/* Computes both orders; 0, or -1 when out of memory. */
int plan_compute(const struct plan_app *apps, int napps, const struct scset *os, struct plan_result *r);
void plan_result_free(struct plan_result *r);

/* The Loupe-ordered plan as a table (text, CSV, Markdown), or both orders
 * as JSON.  0, or -1 when writing failed. */
int plan_print(FILE *f, enum out_format fmt, const struct plan_result *r);

/* The curves, one row per number of system calls implemented (from 0 to
 * what the longer order needs): `implemented,loupe_supported,
 * naive_supported`, the applications each order supports by then. */
int plan_curve_csv(FILE *f, const struct plan_result *r);
int plan_curve_svg(FILE *f, const struct plan_result *r);

#endif
