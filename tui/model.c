/* The TUI's model (model.h). */
#include "tui/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tm_schemes[] = {"policy", "all", "none", "least:20%", "most:20%", "random:20%:1"};
const int tm_nschemes = sizeof(tm_schemes) / sizeof(tm_schemes[0]);
const double tm_curve_gamma[TM_CURVE] = {1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12,
					 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 95, 100};
const double tm_curve_fc_ns[TM_CURVE] = {1,   3,   10,  30,  100, 300, 1e3, 3e3, 1e4, 3e4, 1e5, 3e5,
					 1e6, 3e6, 1e7, 3e7, 1e8, 3e8, 1e9, 2e9, 3e9, 5e9, 7e9, 1e10};

void tm_init(struct tui_model *m)
{
	memset(m, 0, sizeof(*m));
	m->proj.gamma = 2;
	m->proj.fc_ns = 1000;
}

void tm_free(struct tui_model *m)
{
	free(m->rows);
	m->rows = NULL;
	m->nrows = m->cap = 0;
}

void tm_begin(struct tui_model *m)
{
	for (int i = 0; i < m->nrows; i++)
		m->rows[i].seen = false;
}

struct tm_row *tm_row(struct tui_model *m, int nr, enum tm_kind kind, const char *name)
{
	for (int i = 0; i < m->nrows; i++) {
		struct tm_row *r = &m->rows[i];
		if (r->nr == nr && r->kind == kind && !strcmp(r->name, name)) {
			r->seen = true;
			return r;
		}
	}
	if (m->nrows == m->cap) {
		int cap = m->cap ? 2 * m->cap : 128;
		struct tm_row *v = realloc(m->rows, (size_t)cap * sizeof(*v));
		if (!v)
			return NULL;
		m->rows = v, m->cap = cap;
	}
	struct tm_row *r = &m->rows[m->nrows++];
	*r = (struct tm_row){.nr = nr, .kind = kind, .cls = FC_UNUSED, .whatif = -1, .seen = true};
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

void tm_end(struct tui_model *m, double dt_s)
{
	int k = 0;
	for (int i = 0; i < m->nrows; i++) {
		struct tm_row *r = &m->rows[i];
		if (!r->seen)
			continue;
		/* No time between two readings (a file, the first refresh): no rate. */
		r->rate = dt_s <= 0 ? -1 : r->count >= r->prev_count ? (double)(r->count - r->prev_count) / dt_s : 0;
		r->prev_count = r->count;
		m->rows[k++] = *r;
	}
	m->nrows = k;
	tm_project(m);
}

const struct tm_row *tm_call_of(const struct tui_model *m, const struct tm_row *r)
{
	return r->kind == TK_CALL ? r : tm_find_call(m, r->nr);
}

const struct tm_row *tm_find_call(const struct tui_model *m, int nr)
{
	for (int i = 0; i < m->nrows; i++)
		if (m->rows[i].kind == TK_CALL && m->rows[i].nr == nr)
			return &m->rows[i];
	return NULL;
}

int tm_policy(const struct tm_row *r)
{
	if (r->whatif >= 0)
		return r->whatif;
	int best = POL_FORWARD;
	for (int a = 0; a < POL__COUNT; a++)
		if (r->outcome[a] > r->outcome[best])
			best = a;
	return best;
}

/* ---------------------------------------------------------- projection */

/* The speedup model's input: one unit per call row. */
static int model_units(const struct tui_model *m, struct model_input *in, int **rows)
{
	*in = (struct model_input){.C_ns = m->h.C_ns};
	in->calls = calloc((size_t)m->nrows + 1, sizeof(*in->calls));
	*rows = calloc((size_t)m->nrows + 1, sizeof(int));
	if (!in->calls || !*rows)
		return -1;
	for (int i = 0; i < m->nrows; i++) {
		const struct tm_row *r = &m->rows[i];
		if (r->kind != TK_CALL)
			continue;
		(*rows)[in->n] = i;
		in->calls[in->n++] = (struct model_call){
			.nr = r->nr,
			.name = r->name,
			.g_ns = (double)r->host_ns,
			.n_calls = (double)r->count,
			.n_local = (double)r->outcome[POL_LOCAL],
			.n_free = (double)(r->outcome[POL_STUB] + r->outcome[POL_FAKE]),
		};
	}
	return 0;
}

/* A what-if overrides the scheme for its call: forwarded or local, all
 * its calls executed; stubbed or faked, none. */
static void apply_whatifs(const struct tui_model *m, struct model_input *in, const int *rows, double *b)
{
	for (int u = 0; u < in->n; u++) {
		int w = m->rows[rows[u]].whatif;
		if (w < 0)
			continue;
		in->calls[u].n_free = w == POL_STUB || w == POL_FAKE ? in->calls[u].n_calls : 0;
		in->calls[u].n_local = w == POL_LOCAL ? in->calls[u].n_calls : 0;
		b[u] = w == POL_FORWARD ? 1 : 0;
	}
}

void tm_project(struct tui_model *m)
{
	struct tm_proj *p = &m->proj;
	struct model_input in;
	struct model_set set;
	int *rows = NULL;
	char err[128];
	double *b = calloc((size_t)m->nrows + 1, sizeof(double));
	p->p = p->S_n = p->S_r = NAN;
	if (!b || model_units(m, &in, &rows) ||
	    model_parse_set(tm_schemes[p->scheme], &set, err, sizeof(err)) ||
	    model_assign(&in, &set, b, err, sizeof(err)))
		goto out;
	apply_whatifs(m, &in, rows, b);
	p->p = model_p(&in);
	p->S_n = model_sn(p->p, p->gamma);
	p->S_r = model_sr(&in, b, p->gamma, p->fc_ns);
	for (int i = 0; i < TM_CURVE; i++) {
		p->curve_gamma[i] = model_sr(&in, b, tm_curve_gamma[i], p->fc_ns);
		p->curve_fc[i] = model_sr(&in, b, p->gamma, tm_curve_fc_ns[i]);
	}
out:
	free(in.calls);
	free(rows);
	free(b);
}

/* ------------------------------------------------------------- ordering */

struct sort_ctx {
	const struct tui_model *m;
	enum tm_col col;
	bool desc;
};

static double key_of(const struct tm_row *r, enum tm_col col)
{
	switch (col) {
	case TC_NR: return r->nr;
	case TC_COUNT: return (double)r->count;
	case TC_RATE: return r->rate;
	case TC_TOTAL:
	case TC_SHARE: return (double)r->host_ns;
	case TC_MEAN: return r->count ? (double)r->host_ns / (double)r->count : 0;
	case TC_POLICY: return tm_policy(r);
	case TC_CLASS: return r->cls;
	default: return 0;
	}
}

static int cmp_rows(const void *a, const void *b, void *ctx)
{
	const struct sort_ctx *sort_by = ctx;
	const struct tm_row *x = &sort_by->m->rows[*(const int *)a], *y = &sort_by->m->rows[*(const int *)b];
	int c;
	if (sort_by->col == TC_NAME) {
		c = strcmp(x->name, y->name);
	} else {
		double kx = key_of(x, sort_by->col), ky = key_of(y, sort_by->col);
		c = kx < ky ? -1 : kx > ky;
	}
	if (sort_by->desc)
		c = -c;
	return c ? c : x->nr != y->nr ? (x->nr < y->nr ? -1 : 1) : strcmp(x->name, y->name);
}

/* The rows of call nr's sub-features and pseudo-files, into out (when
 * not NULL); how many. */
static int children(const struct tui_model *m, int nr, int *out)
{
	int n = 0;
	for (int i = 0; i < m->nrows; i++)
		if (m->rows[i].kind != TK_CALL && m->rows[i].nr == nr) {
			if (out)
				out[n] = i;
			n++;
		}
	return n;
}

bool tm_has_children(const struct tui_model *m, int nr)
{
	return children(m, nr, NULL) > 0;
}

int tm_order(const struct tui_model *m, enum tm_col col, bool desc, const char *filter, const bool *expanded,
	     int *out)
{
	int *calls = malloc(((size_t)m->nrows + 1) * sizeof(int)), nc = 0, n = 0;
	if (!calls)
		return 0;
	for (int i = 0; i < m->nrows; i++)
		if (m->rows[i].kind == TK_CALL && (!filter || !*filter || strstr(m->rows[i].name, filter)))
			calls[nc++] = i;
	struct sort_ctx ctx = {m, col, desc};
	qsort_r(calls, (size_t)nc, sizeof(int), cmp_rows, &ctx);
	for (int i = 0; i < nc; i++) {
		out[n++] = calls[i];
		int nr = m->rows[calls[i]].nr;
		if (expanded && nr >= 0 && nr < SC_TABLE_SIZE && expanded[nr]) {
			int k = children(m, nr, out + n);
			qsort_r(out + n, (size_t)k, sizeof(int), cmp_rows, &ctx);
			n += k;
		}
	}
	free(calls);
	return n;
}
