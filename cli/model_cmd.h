/* `hyperloupe model SOURCE`: the delegate speedup model (analysis/model.h)
 * applied to a run's statistics, with sweeps, plots and the order in which
 * to implement calls locally (README "Speedup model"). */
#ifndef HL_MODEL_CMD_H
#define HL_MODEL_CMD_H

#include "analysis/model.h"

#include <stdio.h>

int cmd_model(int argc, char **argv);

/* What the sweeps are made for (model_sweep.c). */
struct model_case {
	const struct model_input *in;
	const struct model_set *set; /* the --forward set */
	const char *set_spec;        /* as given */
	const double *b;             /* its assignment */
	double gamma, fc_ns;         /* the fixed values of the sweeps */
};

/* Writes the CSV and SVG files of the paper's Figures 2-9 for c into dir
 * (created if missing) and prints each file's name on list (one a line).
 * 0, or -1 after a message. */
int model_write_sweeps(const char *dir, const struct model_case *c, FILE *list);

#endif
