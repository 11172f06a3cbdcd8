/* `hyperloupe model --sweep DIR`: the shapes of the paper's Figures 2-9
 * for one workload, each as a CSV file (the numbers) and an SVG file (the
 * picture) of the same name. */
#include "analysis/outfmt.h"
#include "analysis/svgplot.h"
#include "analysis/util.h"
#include "cli/model_cmd.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The grids: γ from 1 to 100 as the paper's plots, f_c from 1 ns to 10 s
 * in log steps, the forwarded fraction in 5% steps. */
#define N_GAMMA_LINE 100
#define N_GAMMA_MAP 34
#define N_FC_LINE 81
#define N_FC_MAP 41
#define N_FRAC 21
#define N_P 51
#define FC_LO 1.0
#define FC_HI 1e10
#define SCHEME_PCT "20%"
#define N_SERIES 5

struct out {
	const char *dir;
	FILE *list;
};

static FILE *open_file(const struct out *o, const char *name, const char *ext, char *path, size_t len)
{
	snprintf(path, len, "%s/%s.%s", o->dir, name, ext);
	FILE *f = fopen(path, "w");
	if (!f)
		hl_err("model: %s: %s", path, strerror(errno));
	return f;
}

static int close_file(const struct out *o, FILE *f, const char *path)
{
	if (ferror(f) | fclose(f)) {
		hl_err("model: %s: write error", path);
		return -1;
	}
	fprintf(o->list, "%s\n", path);
	return 0;
}

/* NAME.csv: one row per x, a column per series; NAME.svg: the chart. */
static int write_lines(const struct out *o, const char *name, const struct svg_axes *ax, const char *xname,
		       const struct svg_series *s, int ns)
{
	char path[4096];
	FILE *f = open_file(o, name, "csv", path, sizeof(path));
	if (!f)
		return -1;
	out_csv_str(f, xname);
	for (int k = 0; k < ns; k++)
		fputc(',', f), out_csv_str(f, s[k].label);
	for (int i = 0; i < s[0].n; i++) {
		fprintf(f, "\n%.9g", s[0].x[i]);
		for (int k = 0; k < ns; k++)
			fprintf(f, ",%.9g", s[k].y[i]);
	}
	fputc('\n', f);
	if (close_file(o, f, path) < 0 || !(f = open_file(o, name, "svg", path, sizeof(path))))
		return -1;
	svg_lines(f, ax, s, ns);
	return close_file(o, f, path);
}

struct map {
	const char *xname, *yname, *zname;
	const double *x, *y, *z;
	int nx, ny;
};

/* NAME.csv: x,y,z rows (y outer); NAME.svg: the heat map. */
static int write_map(const struct out *o, const char *name, const struct svg_axes *ax, const struct map *m)
{
	char path[4096];
	FILE *f = open_file(o, name, "csv", path, sizeof(path));
	if (!f)
		return -1;
	out_csv_str(f, m->xname);
	fputc(',', f), out_csv_str(f, m->yname);
	fputc(',', f), out_csv_str(f, m->zname);
	fputc('\n', f);
	for (int iy = 0; iy < m->ny; iy++)
		for (int ix = 0; ix < m->nx; ix++)
			fprintf(f, "%.9g,%.9g,%.9g\n", m->x[ix], m->y[iy], m->z[iy * m->nx + ix]);
	if (close_file(o, f, path) < 0 || !(f = open_file(o, name, "svg", path, sizeof(path))))
		return -1;
	svg_heatmap(f, ax, m->x, m->nx, m->y, m->ny, m->z, m->zname);
	return close_file(o, f, path);
}

/* ---- the series ---- */

/* The --forward set and the paper's three schemes at 20%, each a b. */
struct schemes {
	int n;
	char spec[N_SERIES][512], label[N_SERIES][520];
	double *b[N_SERIES];
};

static void name_scheme(struct schemes *s, const char *spec)
{
	/* memcpy, not snprintf("%s"): GCC cannot tell spec from the arrays. */
	size_t n = strnlen(spec, sizeof(s->spec[0]) - 1);
	memcpy(s->spec[s->n], spec, n);
	s->spec[s->n][n] = '\0';
	memcpy(s->label[s->n], "S_r (", 5);
	memcpy(s->label[s->n] + 5, spec, n);
	memcpy(s->label[s->n] + 5 + n, ")", 2);
}

static int add_scheme(const struct model_case *c, struct schemes *s, const char *spec)
{
	struct model_set set;
	for (int k = 0; k < s->n; k++)
		if (!strcmp(s->spec[k], spec))
			return 0; /* the --forward set is already one of them */
	double *b = calloc((size_t)c->in->n + 1, sizeof(*b));
	if (!b || model_parse_set(spec, &set, NULL, 0) < 0 || model_assign(c->in, &set, b, NULL, 0) < 0) {
		free(b);
		return hl_err("model: out of memory"), -1;
	}
	name_scheme(s, spec);
	s->b[s->n++] = b;
	return 0;
}

static int make_schemes(const struct model_case *c, struct schemes *s)
{
	char rnd[64];
	snprintf(rnd, sizeof(rnd), "random:%s:%llu", SCHEME_PCT,
		 (unsigned long long)(c->set->scheme == MS_RANDOM ? c->set->seed : 1));
	memset(s, 0, sizeof(*s));
	name_scheme(s, c->set_spec);
	s->b[s->n++] = (double *)c->b;
	if (add_scheme(c, s, "least:" SCHEME_PCT) < 0 || add_scheme(c, s, "most:" SCHEME_PCT) < 0)
		return -1;
	return add_scheme(c, s, rnd);
}

static void free_schemes(struct schemes *s)
{
	for (int k = 1; k < s->n; k++)
		free(s->b[k]);
}

/* S_n and S_r of each scheme along one axis (γ or f_c), the other fixed. */
static int along(const struct model_case *c, const struct schemes *sc, struct model_grid x, double *ys,
		 struct svg_series *series)
{
	double fixed[1] = {x.axis == MX_GAMMA ? c->fc_ns : c->gamma};
	struct model_grid y = {x.axis == MX_GAMMA ? MX_FC : MX_GAMMA, fixed, 1};
	double p = model_p(c->in);
	for (int i = 0; i < x.n; i++)
		ys[i] = model_sn(p, x.axis == MX_GAMMA ? x.v[i] : c->gamma);
	series[0] = (struct svg_series){"S_n", x.v, ys, x.n, false};
	for (int k = 0; k < sc->n; k++) {
		double *z = ys + (size_t)(k + 1) * (size_t)x.n;
		if (model_surface(c->in, sc->b[k], NULL, c->gamma, c->fc_ns, x, y, z) < 0)
			return -1;
		series[k + 1] = (struct svg_series){sc->label[k], x.v, z, x.n, false};
	}
	return 0;
}

/* Figures 3-4 (S vs γ) and 9 (S vs f_c). */
static int write_along(const struct out *o, const struct model_case *c, const struct schemes *sc)
{
	double g[N_GAMMA_LINE], fc[N_FC_LINE], ys[(N_SERIES + 1) * N_FC_LINE];
	struct svg_series s[N_SERIES + 1];
	char title[200];
	model_linspace(1, 100, N_GAMMA_LINE, g);
	model_logspace(FC_LO, FC_HI, N_FC_LINE, fc);
	snprintf(title, sizeof(title), "Speedup vs gain (f_c = %g ns)", c->fc_ns);
	struct svg_axes ax = {title, "gain (gamma)", "speedup", false, false};
	if (along(c, sc, (struct model_grid){MX_GAMMA, g, N_GAMMA_LINE}, ys, s) < 0 ||
	    write_lines(o, "gamma", &ax, "gamma", s, sc->n + 1) < 0)
		return -1;
	snprintf(title, sizeof(title), "Speedup vs forwarding cost (gamma = %g)", c->gamma);
	ax = (struct svg_axes){title, "forwarding cost f_c (ns)", "speedup", true, false};
	if (along(c, sc, (struct model_grid){MX_FC, fc, N_FC_LINE}, ys, s) < 0)
		return -1;
	return write_lines(o, "fc", &ax, "fc_ns", s, sc->n + 1);
}

/* ---- surfaces ---- */

/* Figure 2: S_n over p and γ, whatever the workload (its own p is in the
 * report). */
static int write_sn_map(const struct out *o)
{
	double p[N_P], g[N_GAMMA_MAP], z[N_P * N_GAMMA_MAP];
	model_linspace(0, 1, N_P, p);
	model_linspace(1, 100, N_GAMMA_MAP, g);
	for (int iy = 0; iy < N_GAMMA_MAP; iy++)
		for (int ix = 0; ix < N_P; ix++)
			z[iy * N_P + ix] = model_sn(p[ix], g[iy]);
	struct svg_axes ax = {"Naive speedup S_n", "syscall fraction p", "gain (gamma)", false, false};
	struct map m = {"p", "gamma", "S_n", p, g, z, N_P, N_GAMMA_MAP};
	return write_map(o, "sn_p_gamma", &ax, &m);
}

/* One S_r surface over two of γ, f_c and the least-frequent fraction. */
static int write_sr_map(const struct out *o, const struct model_case *c, const char *name,
			const struct svg_axes *ax, struct model_grid x, struct model_grid y)
{
	static const char *names[] = {[MX_GAMMA] = "gamma", [MX_FC] = "fc_ns", [MX_FRACTION] = "forwarded_fraction"};
	struct model_set least;
	model_parse_set("least:" SCHEME_PCT, &least, NULL, 0);
	double *z = malloc(sizeof(double) * (size_t)x.n * (size_t)y.n);
	if (!z || model_surface(c->in, c->b, &least, c->gamma, c->fc_ns, x, y, z) < 0) {
		free(z);
		return hl_err("model: out of memory"), -1;
	}
	struct map m = {names[x.axis], names[y.axis], "S_r", x.v, y.v, z, x.n, y.n};
	int rc = write_map(o, name, ax, &m);
	free(z);
	return rc;
}

/* Figures 5 (γ, f_c; the --forward set), 7 (f_c, fraction; γ fixed) and
 * 8 (γ, fraction; f_c fixed), the fraction being of the least frequently
 * called units, as in the paper. */
static int write_sr_maps(const struct out *o, const struct model_case *c)
{
	double g[N_GAMMA_MAP], fc[N_FC_MAP], fr[N_FRAC];
	char title[700];
	model_linspace(1, 100, N_GAMMA_MAP, g);
	model_logspace(FC_LO, FC_HI, N_FC_MAP, fc);
	model_linspace(0, 1, N_FRAC, fr);
	struct model_grid gx = {MX_GAMMA, g, N_GAMMA_MAP}, fx = {MX_FC, fc, N_FC_MAP}, px = {MX_FRACTION, fr, N_FRAC};
	snprintf(title, sizeof(title), "S_r, forwarded: %s", c->set_spec);
	struct svg_axes ax = {title, "gain (gamma)", "forwarding cost f_c (ns)", false, true};
	if (write_sr_map(o, c, "gamma_fc", &ax, gx, fx) < 0)
		return -1;
	snprintf(title, sizeof(title), "S_r, least frequent forwarded (gamma = %g)", c->gamma);
	ax = (struct svg_axes){title, "forwarding cost f_c (ns)", "forwarded fraction of the used calls", true, false};
	if (write_sr_map(o, c, "fc_fraction", &ax, fx, px) < 0)
		return -1;
	snprintf(title, sizeof(title), "S_r, least frequent forwarded (f_c = %g ns)", c->fc_ns);
	ax = (struct svg_axes){title, "gain (gamma)", "forwarded fraction of the used calls", false, false};
	return write_sr_map(o, c, "gamma_fraction", &ax, gx, px);
}

/* ---- Figure 6: the call profile ---- */

static int by_count_desc(const void *pa, const void *pb, void *arg)
{
	const struct model_input *in = arg;
	const struct model_call *a = &in->calls[*(const int *)pa], *b = &in->calls[*(const int *)pb];
	if (a->n_calls != b->n_calls)
		return a->n_calls < b->n_calls ? 1 : -1;
	return a->nr != b->nr ? (a->nr > b->nr) - (a->nr < b->nr) : strcmp(a->name, b->name);
}

/* The cumulative share of calls and of host time, units most called
 * first: a skewed profile (bzip2's) rises at once. */
static int write_profile_csv(const struct out *o, const struct model_input *in, const int *idx, double *x,
			     double *cn, double *cg)
{
	char path[4096];
	double n = 0, g = 0, tn = 0, tg = model_sum_g(in);
	for (int i = 0; i < in->n; i++)
		tn += in->calls[i].n_calls;
	FILE *f = open_file(o, "profile", "csv", path, sizeof(path));
	if (!f)
		return -1;
	fputs("rank,name,count,host_ns,cumulative_calls,cumulative_host\n", f);
	for (int i = 0; i < in->n; i++) {
		const struct model_call *c = &in->calls[idx[i]];
		n += c->n_calls, g += c->g_ns;
		x[i] = i + 1, cn[i] = tn > 0 ? n / tn : 0, cg[i] = tg > 0 ? g / tg : 0;
		fprintf(f, "%d,", i + 1);
		out_csv_str(f, c->name);
		fprintf(f, ",%.0f,%.0f,%.6f,%.6f\n", c->n_calls, c->g_ns, cn[i], cg[i]);
	}
	return close_file(o, f, path);
}

static int write_profile(const struct out *o, const struct model_input *in)
{
	size_t n = (size_t)in->n + 1;
	int *idx = malloc(n * sizeof(int));
	double *v = malloc(3 * n * sizeof(double));
	int rc = -1;
	if (!idx || !v) {
		hl_err("model: out of memory");
		goto out;
	}
	for (int i = 0; i < in->n; i++)
		idx[i] = i;
	qsort_r(idx, (size_t)in->n, sizeof(int), by_count_desc, (void *)in);
	if (write_profile_csv(o, in, idx, v, v + n, v + 2 * n) < 0)
		goto out;
	struct svg_series s[2] = {{"calls", v, v + n, in->n, true}, {"host time", v, v + 2 * n, in->n, true}};
	struct svg_axes ax = {"System call profile (CDF, most called first)", "units ranked by calls",
			      "cumulative fraction", false, false};
	char path[4096];
	FILE *f = open_file(o, "profile", "svg", path, sizeof(path));
	if (f) {
		svg_lines(f, &ax, s, 2);
		rc = close_file(o, f, path);
	}
out:
	free(idx);
	free(v);
	return rc;
}

int model_write_sweeps(const char *dir, const struct model_case *c, FILE *list)
{
	struct out o = {dir, list};
	struct schemes sc;
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		hl_err("model: --sweep %s: %s", dir, strerror(errno));
		return -1;
	}
	if (make_schemes(c, &sc) < 0) {
		free_schemes(&sc);
		return -1;
	}
	int rc = write_sn_map(&o);
	if (!rc)
		rc = write_along(&o, c, &sc);
	if (!rc)
		rc = write_sr_maps(&o, c);
	if (!rc)
		rc = write_profile(&o, c->in);
	free_schemes(&sc);
	return rc;
}
