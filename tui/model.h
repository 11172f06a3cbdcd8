/* The TUI's model: one row per system call (and, below it, per
 * sub-feature and pseudo-file) with its counters and classification, the
 * header figures, and the what-if projection of the speedup model.  It
 * knows nothing of the screen (view.h) or of keys (keys.h); sources
 * (source.c) fill it from a live run, a --stats file or the results
 * database. */
#ifndef HL_TUI_MODEL_H
#define HL_TUI_MODEL_H

#include "analysis/classify.h"
#include "analysis/model.h"
#include "analysis/policy.h"

#include <stdbool.h>
#include <stdint.h>

#define TM_NAME 96
#define TM_HIST 12 /* = STATS_HIST */
#define TM_CURVE 24

enum tm_kind { TK_CALL, TK_SUB, TK_PATH };

enum tm_col { TC_NAME, TC_NR, TC_COUNT, TC_RATE, TC_TOTAL, TC_MEAN, TC_SHARE, TC_POLICY, TC_CLASS, TC__COUNT };

struct tm_row {
	int nr;
	enum tm_kind kind;
	char name[TM_NAME]; /* a call's name, or the sub-feature / path alone */
	uint64_t count, errors, host_ns;
	uint64_t prev_count; /* at the refresh before, for the rate */
	double rate;         /* calls per second since that refresh */
	uint64_t outcome[POL__COUNT];
	uint32_t hist[TM_HIST];
	bool has_hist;
	int cls;             /* enum feat_class; FC_UNUSED: no campaign */
	bool running;        /* a campaign run of it is in progress */
	int whatif;          /* -1: as the scheme says; else enum pol_action */
	bool seen;           /* refreshed this time (rows not seen are dropped) */
};

struct tm_header {
	char source[32];     /* "live", "stats file", "database" */
	char title[256];     /* the program and its arguments, or the workload */
	char phase[64];
	char state[32];      /* "running", "ended", a campaign's state */
	double elapsed_s;
	double C_ns, sum_g_ns, wall_ns;
	char progress[256];  /* a campaign's progress line, "" without one */
	char exe[256];       /* the program, for the static call sites */
};

struct tm_proj {
	double gamma, fc_ns;
	int scheme;          /* index into tm_schemes */
	double p, S_n, S_r;
	double curve_gamma[TM_CURVE], curve_fc[TM_CURVE]; /* S_r over the axes */
};

struct tui_model {
	struct tm_header h;
	struct tm_row *rows;
	int nrows, cap;
	struct tm_proj proj;
	uint64_t refreshed_ns; /* monotonic time of the last refresh */
};

/* The forwarding schemes 'f' cycles through (model_parse_set specs). */
extern const char *const tm_schemes[];
extern const int tm_nschemes;
/* The axes of the two small plots. */
extern const double tm_curve_gamma[TM_CURVE], tm_curve_fc_ns[TM_CURVE];

void tm_init(struct tui_model *m);
void tm_free(struct tui_model *m);

/* A refresh: tm_begin, then tm_row for each row the source has (found by
 * nr, kind and name, so that a row keeps its what-if and rate), then
 * tm_end, which drops rows not seen, computes rates over dt_s and
 * projects again. */
void tm_begin(struct tui_model *m);
struct tm_row *tm_row(struct tui_model *m, int nr, enum tm_kind kind, const char *name);
void tm_end(struct tui_model *m, double dt_s);

/* The row of call nr, or NULL. */
const struct tm_row *tm_find_call(const struct tui_model *m, int nr);
/* The row's call (itself for a call row), or NULL. */
const struct tm_row *tm_call_of(const struct tui_model *m, const struct tm_row *r);
/* Whether call nr has sub-feature or pseudo-file rows. */
bool tm_has_children(const struct tui_model *m, int nr);

/* The policy a row shows (enum pol_action): its what-if, else what the
 * run did with most of its calls. */
int tm_policy(const struct tm_row *r);

/* S_n, S_r and the curves for the current γ, f_c, scheme and what-ifs. */
void tm_project(struct tui_model *m);

/* Rows in display order: calls sorted by col (desc: largest first), each
 * followed by its sub-features and pseudo-files when expanded[nr]; only
 * calls whose name contains filter (when not empty).  Writes indexes to
 * out (room for m->nrows), returns how many. */
int tm_order(const struct tui_model *m, enum tm_col col, bool desc, const char *filter, const bool *expanded,
	     int *out);

#endif
