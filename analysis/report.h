/* Reports on explore campaigns (`hyperloupe report`, README "Reports"): per
 * workload its runs, the verdicts on its system calls, sub-features and
 * pseudo-files, static vs traced vs required (Loupe's Figure 4), and the
 * verdicts side by side with Loupe's published ones (loupedb). */
#ifndef HL_REPORT_H
#define HL_REPORT_H

#include "analysis/dbsel.h"
#include "analysis/outfmt.h"
#include "analysis/resultsdb.h"
#include "analysis/syscalls.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define REPORT_KINDS 3 /* enum rdb_kind */

struct report_feat {
	int64_t id;
	int nr;
	enum rdb_kind kind;
	char *name;
	uint64_t count;
	enum feat_class cls;
	int corrected;		    /* 1: the final run's bisection made it required */
	struct replicas stub, fake; /* recorded runs (want: 0) */
};

/* One workload row and what its campaign recorded. */
struct report_wl {
	const struct dbsel_row *row;
	int runs[RDB__RUN_KINDS], ok[RDB__RUN_KINDS]; /* recorded and passed, by kind */
	struct rdb_summary baseline;
	struct report_feat *feats; /* in discovery order */
	int nfeats;
	/* [kind][class] features; [kind][FC_UNUSED] counts every one used */
	int counts[REPORT_KINDS][FC__COUNT];
	int nstatic; /* system calls the static analysis found; -1: not analysed */
	unsigned char in_static[SC_TABLE_SIZE];
};

/* Reads what the database holds on row.  0, or -1 when it cannot. */
int report_load(struct rdb *db, const struct dbsel_row *row, struct report_wl *w);
void report_wl_free(struct report_wl *w);

/* Loupe's verdicts on one application: its published per-syscall CSV (a
 * loupedb `dyn.csv`: '#' comments, an optional header line, then
 * `syscall,used,works_faked,works_stubbed,works_both` with Y or N). */
struct loupe_ref {
	const char *source;	    /* the file, for the report */
	uint8_t cls[SC_TABLE_SIZE]; /* enum feat_class; FC_UNUSED when not used */
};

/* 0, or -1 with "FNAME:LINE: what" in err. */
int loupe_read(FILE *f, const char *fname, struct loupe_ref *ref, char *err, size_t errlen);

/* The comparison of one workload's system calls with Loupe's. */
struct report_cmp {
	int ours[FC__COUNT], loupe[FC__COUNT]; /* [FC_UNUSED]: used */
	int agree, disagree, only_ours, only_loupe;
};

void report_compare(const struct report_wl *w, const struct loupe_ref *ref, struct report_cmp *c);

/* Our verdict on each system call (ours[SC_TABLE_SIZE]), FC_UNUSED when
 * not traced, FC_PENDING when not classified yet. */
void report_our_classes(const struct report_wl *w, uint8_t *ours);

/* The report on w[0..n), compared with ref when not NULL.  0, or -1 when
 * writing failed (errno set). */
int report_print(FILE *f, enum out_format fmt, const struct report_wl *w, int n, const struct loupe_ref *ref);

#endif
