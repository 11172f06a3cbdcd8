/* Plots as standalone SVG files a person can open in a browser: line (and
 * step) charts with linear or log axes, and heat maps for surfaces.  Used
 * by `plan` (applications supported vs syscalls implemented) and `model`
 * (speedup sweeps and surfaces).  No dependencies: the SVG is text. */
#ifndef HL_SVGPLOT_H
#define HL_SVGPLOT_H

#include <stdbool.h>
#include <stdio.h>

struct svg_series {
	const char *label;    /* legend text */
	const double *x, *y;  /* n points, x ascending */
	int n;
	bool steps;           /* draw as a step function (a cumulative count) */
};

struct svg_axes {
	const char *title, *xlabel, *ylabel;
	bool xlog, ylog;      /* log10 scale (values <= 0 are skipped) */
};

/* A chart of ns series, each in its own colour with a legend; axes with
 * ticks at round values.  0, or -1 when writing failed (errno set). */
int svg_lines(FILE *f, const struct svg_axes *ax, const struct svg_series *s, int ns);

/* A heat map of z over the grid xs[nx] x ys[ny]; z is row-major by y
 * (z[iy * nx + ix]), with a colour scale labelled zlabel.  0 or -1. */
int svg_heatmap(FILE *f, const struct svg_axes *ax, const double *xs, int nx, const double *ys, int ny,
		const double *z, const char *zlabel);

#endif
