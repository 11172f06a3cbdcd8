/* SVG charts (svgplot.h).  Coordinates are computed here, in pixels, so
 * that the file needs nothing but an SVG 1.1 viewer: no scripts, no CSS
 * beyond presentation attributes. */
#include "analysis/svgplot.h"
#include "analysis/outfmt.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PLOT_W 560 /* the plotting area, in pixels */
#define PLOT_H 360
#define MARGIN_L 80
#define MARGIN_T 50
#define MARGIN_B 60
#define MAX_TICKS 64
#define MARKER_MAX 40 /* points per series up to which each gets a dot */
#define INSET                                                                                                          \
	8 /* pixels between a line chart's range and its frame, so                                                     \
	     that lines along the range's ends stay visible */

/* Tableau 10: distinct in colour and, mostly, for colour-blind readers;
 * past ten series the lines are dashed as well. */
static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
				      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
#define NPALETTE ((int)(sizeof(palette) / sizeof(palette[0])))

/* Viridis at nine points: perceptually even, readable in grey. */
static const unsigned char viridis[9][3] = {
	{68, 1, 84},	{71, 44, 122}, {59, 81, 139},  {44, 113, 142}, {33, 144, 141},
	{39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37},
};

/* One axis, in axis units (log10 of the value on a log axis). */
struct axis {
	bool log, integer;
	double lo, hi;
	double major[MAX_TICKS], minor[MAX_TICKS];
	int nmajor, nminor;
	double px0, px1; /* pixels of lo and hi */
};

/* ------------------------------------------------------------ text */

/* Text as XML character data: the five specials escaped, characters XML 1.0
 * forbids (controls, bytes that are not UTF-8) replaced by '?'. */
static void esc(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	for (size_t i = 0, len; s[i]; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", f); continue;
		case '<': fputs("&lt;", f); continue;
		case '>': fputs("&gt;", f); continue;
		case '"': fputs("&quot;", f); continue;
		case '\'': fputs("&apos;", f); continue;
		}
		if (s[i] < 0x20 && s[i] != '\t')
			fputc('?', f);
		else if ((len = out_put_utf8(f, s + i, SIZE_MAX)) != 0)
			i += len - 1;
		else
			fputc('?', f);
	}
}

/* A tick label: plain below 10^4 (and from 10^-3) on a linear axis; with
 * an SI suffix otherwise, and always on a log axis (1m, 1, 1k). */
static void fmt_tick(char *buf, size_t len, double v, bool log)
{
	static const char *const prefix[] = {"p", "n", "\xc2\xb5", "m", "", "k", "M", "G", "T"};
	double a = fabs(v);
	if (a == 0 || (!log && a >= 1e-3 && a < 1e4)) {
		snprintf(buf, len, "%g", a < 1e-12 ? 0.0 : v);
		return;
	}
	int k = (int)floor(log10(a) / 3 + 1e-9);
	k = k < -4 ? -4 : k > 4 ? 4 : k;
	snprintf(buf, len, "%g%s", v / pow(1000, k), prefix[k + 4]);
}

/* ------------------------------------------------------------ axes */

/* The round step (1, 2 or 5 times a power of ten) at least x. */
static double nice_step(double x)
{
	double p = pow(10, floor(log10(x)));
	double m = x / p;
	return (m <= 1 + 1e-9 ? 1 : m <= 2 + 1e-9 ? 2 : m <= 5 + 1e-9 ? 5 : 10) * p;
}

/* A linear range around [min, max] ending on ticks; a range that almost
 * reaches zero starts there, as counts are read from zero. */
static void range_linear(double min, double max, double *lo, double *hi)
{
	if (min > 0 && min < max / 2)
		min = 0;
	else if (max < 0 && max > min / 2)
		max = 0;
	if (min == max) {
		double d = min ? fabs(min) / 10 : 1;
		min -= d, max += d;
	}
	double step = nice_step((max - min) / 6);
	*lo = floor(min / step + 1e-9) * step;
	*hi = ceil(max / step - 1e-9) * step;
}

/* Whole decades around [min, max] (both > 0), in log10 units. */
static void range_log(double min, double max, double *lo, double *hi)
{
	*lo = floor(log10(min) + 1e-9);
	*hi = ceil(log10(max) - 1e-9);
	if (*hi <= *lo)
		*hi = *lo + 1;
}

static void add_tick(double *v, int *n, double t)
{
	if (*n < MAX_TICKS)
		v[(*n)++] = t;
}

static void ticks_linear(struct axis *a)
{
	double step = nice_step((a->hi - a->lo) / 6), eps = step * 1e-6;
	if (a->integer && step < 1)
		step = 1;
	for (double i = ceil(a->lo / step - 1e-9); i * step <= a->hi + eps; i++)
		add_tick(a->major, &a->nmajor, i * step);
}

/* Decades labelled (every k-th when there are many), 2..9 times each as
 * minor ticks; with less than two decades in range, 2 and 5 are labelled
 * too so that the axis still reads. */
static void ticks_log(struct axis *a)
{
	int d0 = (int)ceil(a->lo - 1e-9), d1 = (int)floor(a->hi + 1e-9);
	int every = (d1 - d0) / 10 + 1;
	bool fine = d1 - d0 < 2;
	for (int d = d0 - 1; d <= d1; d++)
		for (int m = 1; m <= 9; m++) {
			double t = d + log10(m);
			if (t < a->lo - 1e-9 || t > a->hi + 1e-9)
				continue;
			if ((m == 1 && (d - d0) % every == 0) || (fine && (m == 2 || m == 5)))
				add_tick(a->major, &a->nmajor, t);
			else if (d1 - d0 <= 6)
				add_tick(a->minor, &a->nminor, t);
		}
}

static void axis_init(struct axis *a, bool log, bool integer, double lo, double hi, double px0, double px1)
{
	*a = (struct axis){.log = log, .integer = integer, .lo = lo, .hi = hi, .px0 = px0, .px1 = px1};
	if (log)
		ticks_log(a);
	else
		ticks_linear(a);
}

/* Pixel of t, in axis units. */
static double px(const struct axis *a, double t)
{
	return a->px0 + (t - a->lo) / (a->hi - a->lo) * (a->px1 - a->px0);
}

/* A data value in axis units; false when a log axis cannot show it. */
static bool to_axis(const struct axis *a, double v, double *t)
{
	if (!isfinite(v) || (a->log && v <= 0))
		return false;
	*t = a->log ? log10(v) : v;
	return true;
}

static void tick_label(FILE *f, const struct axis *a, double t, double x, double y, const char *anchor)
{
	char buf[32];
	fmt_tick(buf, sizeof(buf), a->log ? pow(10, t) : t, a->log);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n", x, y, anchor, buf);
}

/* The x axis along the bottom of the plot, grid lines across it (not
 * over a heat map's colours). */
static void draw_xaxis(FILE *f, const struct axis *a, double top, double bottom, bool grid)
{
	fprintf(f, "<g class=\"xaxis\" font-size=\"11\" stroke-width=\"1\">\n");
	for (int i = 0; i < a->nminor; i++)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n",
			px(a, a->minor[i]), bottom, px(a, a->minor[i]), bottom + 3);
	for (int i = 0; i < a->nmajor; i++) {
		double x = px(a, a->major[i]);
		if (grid)
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n", x,
				top, x, bottom);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n", x, bottom, x,
			bottom + 6);
		tick_label(f, a, a->major[i], x, bottom + 19, "middle");
	}
	fprintf(f, "</g>\n");
}

static void draw_yaxis(FILE *f, const struct axis *a, double left, double right, bool grid)
{
	fprintf(f, "<g class=\"yaxis\" font-size=\"11\" stroke-width=\"1\">\n");
	for (int i = 0; i < a->nminor; i++)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n", left - 3,
			px(a, a->minor[i]), left, px(a, a->minor[i]));
	for (int i = 0; i < a->nmajor; i++) {
		double y = px(a, a->major[i]);
		if (grid)
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n", left,
				y, right, y);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n", left - 6, y,
			left, y);
		tick_label(f, a, a->major[i], left - 9, y + 4, "end");
	}
	fprintf(f, "</g>\n");
}

/* ------------------------------------------------------- the frame */

static void svg_open(FILE *f, int w, int h)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\""
		" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
		w, h, w, h);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", w, h);
	fprintf(f,
		"<defs><clipPath id=\"plot\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/></clipPath>"
		"</defs>\n",
		MARGIN_L, MARGIN_T, PLOT_W, PLOT_H);
}

/* Title, axis labels and the frame of the plotting area. */
static void draw_labels(FILE *f, const struct svg_axes *ax)
{
	double cx = MARGIN_L + PLOT_W / 2.0, cy = MARGIN_T + PLOT_H / 2.0;
	fprintf(f, "<text class=\"title\" x=\"%.1f\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">", cx);
	esc(f, ax->title);
	fprintf(f, "</text>\n<text class=\"xlabel\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">", cx,
		MARGIN_T + PLOT_H + 45);
	esc(f, ax->xlabel);
	fprintf(f,
		"</text>\n<text class=\"ylabel\" x=\"0\" y=\"0\" text-anchor=\"middle\" font-size=\"13\""
		" transform=\"translate(22 %.1f) rotate(-90)\">",
		cy);
	esc(f, ax->ylabel);
	fprintf(f, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#000\"/>\n",
		MARGIN_L, MARGIN_T, PLOT_W, PLOT_H);
}

static int svg_close(FILE *f)
{
	fprintf(f, "</svg>\n");
	return out_finish(f);
}

/* ------------------------------------------------------ line charts */

/* The extent of x (xs) or y over the points both axes can show, and
 * whether they are all whole numbers (counts: no ticks between them). */
static bool data_range(const struct svg_series *s, int ns, const struct svg_axes *ax, bool xs, double *min, double *max,
		       bool *integer)
{
	*min = INFINITY, *max = -INFINITY, *integer = true;
	for (int i = 0; i < ns; i++)
		for (int j = 0; j < s[i].n; j++) {
			double x = s[i].x[j], y = s[i].y[j], v = xs ? x : y;
			if (!isfinite(x) || !isfinite(y) || (ax->xlog && x <= 0) || (ax->ylog && y <= 0))
				continue;
			*min = fmin(*min, v), *max = fmax(*max, v);
			*integer = *integer && v == floor(v);
		}
	return *min <= *max;
}

static void lines_axis(struct axis *a, const struct svg_series *s, int ns, const struct svg_axes *ax, bool xs)
{
	bool log = xs ? ax->xlog : ax->ylog, integer;
	double min, max, lo, hi;
	if (!data_range(s, ns, ax, xs, &min, &max, &integer))
		min = 1, max = log ? 10 : 1;
	if (log)
		range_log(min, max, &lo, &hi);
	else
		range_linear(min, max, &lo, &hi);
	if (integer && !log && hi - lo < 1)
		hi = lo + 1;
	if (xs)
		axis_init(a, log, integer, lo, hi, MARGIN_L + INSET, MARGIN_L + PLOT_W - INSET);
	else
		axis_init(a, log, integer, lo, hi, MARGIN_T + PLOT_H - INSET, MARGIN_T + INSET);
}

static bool point(const struct axis *xa, const struct axis *ya, const struct svg_series *s, int j, double *x, double *y)
{
	double tx, ty;
	if (!to_axis(xa, s->x[j], &tx) || !to_axis(ya, s->y[j], &ty))
		return false;
	*x = px(xa, tx), *y = px(ya, ty);
	return true;
}

/* One path for the series; a point a log axis cannot show breaks it. */
static void draw_series(FILE *f, const struct axis *xa, const struct axis *ya, const struct svg_series *s, int i)
{
	double x, y, py0 = 0;
	bool pen = false;
	int shown = 0;
	fprintf(f, "<path class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s d=\"",
		palette[i % NPALETTE], i >= NPALETTE ? " stroke-dasharray=\"6 3\"" : "");
	for (int j = 0; j < s->n; j++) {
		if (!point(xa, ya, s, j, &x, &y)) {
			pen = false;
			continue;
		}
		if (!pen)
			fprintf(f, "%sM%.2f %.2f", shown ? " " : "", x, y);
		else if (s->steps)
			fprintf(f, " L%.2f %.2f L%.2f %.2f", x, py0, x, y);
		else
			fprintf(f, " L%.2f %.2f", x, y);
		pen = true, shown++, py0 = y;
	}
	fprintf(f, "\"/>\n");
	for (int j = 0; shown <= MARKER_MAX && j < s->n; j++)
		if (point(xa, ya, s, j, &x, &y))
			fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"%s\"/>\n", x, y,
				palette[i % NPALETTE]);
}

static int legend_width(const struct svg_series *s, int ns)
{
	size_t longest = 0;
	for (int i = 0; i < ns; i++)
		if (s[i].label && strlen(s[i].label) > longest)
			longest = strlen(s[i].label);
	int w = 60 + 7 * (int)(longest > 48 ? 48 : longest);
	return ns ? w : 20;
}

static void draw_legend(FILE *f, const struct svg_series *s, int ns)
{
	double x = MARGIN_L + PLOT_W + 15;
	fprintf(f, "<g class=\"legend\" font-size=\"12\">\n");
	for (int i = 0; i < ns; i++) {
		double y = MARGIN_T + 10 + 20 * i;
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
			x, y, x + 24, y, palette[i % NPALETTE], i >= NPALETTE ? " stroke-dasharray=\"6 3\"" : "");
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 30, y + 4);
		esc(f, s[i].label);
		fprintf(f, "</text>\n");
	}
	fprintf(f, "</g>\n");
}

int svg_lines(FILE *f, const struct svg_axes *ax, const struct svg_series *s, int ns)
{
	struct axis xa, ya;
	if (!f || !ax || ns < 0 || (ns && !s)) {
		errno = EINVAL;
		return -1;
	}
	lines_axis(&xa, s, ns, ax, true);
	lines_axis(&ya, s, ns, ax, false);
	errno = 0;
	svg_open(f, MARGIN_L + PLOT_W + legend_width(s, ns), MARGIN_T + PLOT_H + MARGIN_B);
	draw_xaxis(f, &xa, MARGIN_T, MARGIN_T + PLOT_H, true);
	draw_yaxis(f, &ya, MARGIN_L, MARGIN_L + PLOT_W, true);
	draw_labels(f, ax);
	fprintf(f, "<g clip-path=\"url(#plot)\">\n");
	for (int i = 0; i < ns; i++)
		draw_series(f, &xa, &ya, &s[i], i);
	fprintf(f, "</g>\n");
	draw_legend(f, s, ns);
	return svg_close(f);
}

/* --------------------------------------------------------- heat maps */

/* Cell edges around the grid values v[idx[0..n)] (in axis units), half
 * way between neighbours; a single value gets a unit-wide cell. */
static void cell_edges(const double *t, int n, double *edge)
{
	if (n == 1) {
		edge[0] = t[0] - 0.5, edge[1] = t[0] + 0.5;
		return;
	}
	edge[0] = t[0] - (t[1] - t[0]) / 2;
	for (int i = 1; i < n; i++)
		edge[i] = (t[i - 1] + t[i]) / 2;
	edge[n] = t[n - 1] + (t[n - 1] - t[n - 2]) / 2;
}

/* The grid values a (log) axis can show, in axis units, and their index. */
static int grid_axis(const double *v, int n, bool log, double *t, int *idx)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (isfinite(v[i]) && (!log || v[i] > 0)) {
			t[k] = log ? log10(v[i]) : v[i];
			idx[k++] = i;
		}
	return k;
}

static void colour(double z, double zmin, double zmax, char *buf, size_t len)
{
	if (!isfinite(z)) {
		snprintf(buf, len, "#cccccc");
		return;
	}
	double u = zmax > zmin ? (z - zmin) / (zmax - zmin) * 8 : 4;
	int k = u >= 8 ? 7 : u <= 0 ? 0 : (int)u;
	double w = fmin(fmax(u - k, 0), 1);
	int c[3];
	for (int i = 0; i < 3; i++)
		c[i] = (int)lround(viridis[k][i] + w * (viridis[k + 1][i] - viridis[k][i]));
	snprintf(buf, len, "#%02x%02x%02x", c[0], c[1], c[2]);
}

struct grid {
	int nx, ny;	   /* the cells shown */
	double *tx, *ty;   /* their centres, in axis units */
	int *ix, *iy;	   /* their index in xs and ys */
	double *ex, *ey;   /* nx + 1 and ny + 1 edges */
	double zmin, zmax; /* over the cells shown */
};

static void draw_cells(FILE *f, const struct grid *g, const struct axis *xa, const struct axis *ya, const double *z,
		       int nx)
{
	char fill[16];
	fprintf(f, "<g class=\"cells\" clip-path=\"url(#plot)\">\n");
	for (int j = 0; j < g->ny; j++)
		for (int i = 0; i < g->nx; i++) {
			double x0 = fmin(px(xa, g->ex[i]), px(xa, g->ex[i + 1]));
			double x1 = fmax(px(xa, g->ex[i]), px(xa, g->ex[i + 1]));
			double y0 = fmin(px(ya, g->ey[j]), px(ya, g->ey[j + 1]));
			double y1 = fmax(px(ya, g->ey[j]), px(ya, g->ey[j + 1]));
			colour(z[g->iy[j] * nx + g->ix[i]], g->zmin, g->zmax, fill, sizeof(fill));
			/* A hair wider than the cell: no seams between cells. */
			fprintf(f,
				"<rect class=\"cell\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>\n",
				x0, y0, x1 - x0 + 0.3, y1 - y0 + 0.3, fill);
		}
	fprintf(f, "</g>\n");
}

/* The colour scale to the right of the plot, with zlabel along it. */
static void draw_colour_bar(FILE *f, double zmin, double zmax, const char *zlabel)
{
	struct axis za;
	double x = MARGIN_L + PLOT_W + 20, lo = zmin, hi = zmax;
	if (!(lo < hi))
		lo -= lo ? fabs(lo) / 10 : 1, hi += hi ? fabs(hi) / 10 : 1;
	axis_init(&za, false, false, lo, hi, MARGIN_T + PLOT_H, MARGIN_T);
	fprintf(f, "<defs><linearGradient id=\"zscale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">\n");
	for (int i = 0; i < 9; i++)
		fprintf(f, "<stop offset=\"%.3f\" stop-color=\"#%02x%02x%02x\"/>\n", i / 8.0, viridis[i][0],
			viridis[i][1], viridis[i][2]);
	fprintf(f, "</linearGradient></defs>\n<g class=\"colourbar\" font-size=\"11\">\n");
	fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"18\" height=\"%d\" fill=\"url(#zscale)\" stroke=\"#000\"/>\n", x,
		MARGIN_T, PLOT_H);
	for (int i = 0; i < za.nmajor; i++) {
		double y = px(&za, za.major[i]);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n", x + 18, y,
			x + 23, y);
		tick_label(f, &za, za.major[i], x + 26, y + 4, "start");
	}
	fprintf(f,
		"<text class=\"zlabel\" x=\"0\" y=\"0\" text-anchor=\"middle\" font-size=\"13\""
		" transform=\"translate(%.1f %.1f) rotate(90)\">",
		x + 85, MARGIN_T + PLOT_H / 2.0);
	esc(f, zlabel);
	fprintf(f, "</text>\n</g>\n");
}

static void z_range(struct grid *g, const double *z, int nx)
{
	g->zmin = INFINITY, g->zmax = -INFINITY;
	for (int j = 0; j < g->ny; j++)
		for (int i = 0; i < g->nx; i++) {
			double v = z[g->iy[j] * nx + g->ix[i]];
			if (isfinite(v))
				g->zmin = fmin(g->zmin, v), g->zmax = fmax(g->zmax, v);
		}
	if (g->zmin > g->zmax)
		g->zmin = 0, g->zmax = 1;
}

/* The axis over the cell edges around the centres t[0..n) (axis units);
 * with no cell, a default range. */
static void grid_axis_init(struct axis *a, bool log, const double *t, const double *edge, int n, double px0, double px1)
{
	double lo = n ? fmin(edge[0], edge[n]) : 0, hi = n ? fmax(edge[0], edge[n]) : 1;
	bool integer = !log;
	if (!(hi > lo)) /* every value the same */
		lo -= 0.5, hi += 0.5;
	for (int i = 0; i < n; i++)
		integer = integer && t[i] == floor(t[i]);
	axis_init(a, log, integer, lo, hi, px0, px1);
}

static void draw_heatmap(FILE *f, const struct svg_axes *ax, struct grid *g, const double *z, int nx,
			 const char *zlabel)
{
	struct axis xa, ya;
	if (g->nx)
		cell_edges(g->tx, g->nx, g->ex);
	if (g->ny)
		cell_edges(g->ty, g->ny, g->ey);
	z_range(g, z, nx);
	grid_axis_init(&xa, ax->xlog, g->tx, g->ex, g->nx, MARGIN_L, MARGIN_L + PLOT_W);
	grid_axis_init(&ya, ax->ylog, g->ty, g->ey, g->ny, MARGIN_T + PLOT_H, MARGIN_T);
	svg_open(f, MARGIN_L + PLOT_W + 130, MARGIN_T + PLOT_H + MARGIN_B);
	draw_cells(f, g, &xa, &ya, z, nx);
	draw_xaxis(f, &xa, MARGIN_T, MARGIN_T + PLOT_H, false);
	draw_yaxis(f, &ya, MARGIN_L, MARGIN_L + PLOT_W, false);
	draw_labels(f, ax);
	draw_colour_bar(f, g->zmin, g->zmax, zlabel);
}

int svg_heatmap(FILE *f, const struct svg_axes *ax, const double *xs, int nx, const double *ys, int ny, const double *z,
		const char *zlabel)
{
	if (!f || !ax || nx < 0 || ny < 0 || ((nx || ny) && (!xs || !ys || !z))) {
		errno = EINVAL;
		return -1;
	}
	/* One block: centres and edges of both axes, then their indexes. */
	size_t n = (size_t)nx + (size_t)ny + 2;
	double *dbuf = malloc(2 * n * sizeof(double) + n * sizeof(int));
	if (!dbuf)
		return -1;
	int *ibuf = (int *)(dbuf + 2 * n);
	struct grid g = {.tx = dbuf,
			 .ty = dbuf + nx + 1,
			 .ex = dbuf + n,
			 .ey = dbuf + n + nx + 1,
			 .ix = ibuf,
			 .iy = ibuf + nx + 1};
	g.nx = grid_axis(xs, nx, ax->xlog, g.tx, g.ix);
	g.ny = grid_axis(ys, ny, ax->ylog, g.ty, g.iy);
	errno = 0;
	draw_heatmap(f, ax, &g, z, nx, zlabel);
	free(dbuf);
	return svg_close(f);
}
