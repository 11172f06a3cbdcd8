/* The delegate speedup model (model.h): the formulas, the forwarding-set
 * schemes, the greedy order and the sweeps.  No I/O. */
#include "analysis/model.h"
#include "analysis/syscalls.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;
	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

double model_sum_g(const struct model_input *in)
{
	double g = 0;
	for (int i = 0; i < in->n; i++)
		g += in->calls[i].g_ns;
	return g;
}

double model_p(const struct model_input *in)
{
	double g = model_sum_g(in), t = in->C_ns + g;
	return t > 0 ? g / t : 0;
}

double model_sn(double p, double gamma)
{
	return 1.0 / (p + (1.0 - p) / gamma);
}

double model_t_nd(const struct model_input *in)
{
	return in->C_ns + model_sum_g(in);
}

double model_cost(const struct model_call *c, double b, double fc_ns)
{
	double x = model_exec(c);
	if (x <= 0)
		return 0;
	return c->g_ns + 2.0 * fc_ns * b * x;
}

double model_t_d(const struct model_input *in, const double *b, double gamma, double fc_ns)
{
	double t = in->C_ns / gamma;
	for (int i = 0; i < in->n; i++)
		t += model_cost(&in->calls[i], b ? b[i] : 0, fc_ns);
	return t;
}

double model_sr(const struct model_input *in, const double *b, double gamma, double fc_ns)
{
	return model_t_nd(in) / model_t_d(in, b, gamma, fc_ns);
}

double model_sr_vm(const struct model_input *in, const double *b, double gamma, double fc_ns)
{
	return (model_t_nd(in) + in->E_ns) / (model_t_d(in, b, gamma, fc_ns) + in->E_ns);
}

/* ---- sets ---- */

/* `N` or `N%` into s->amount; the rest of text (after the number and an
 * optional %) in *end. */
static int parse_amount(const char *text, struct model_set *s, const char **end)
{
	char *e;
	errno = 0;
	double v = strtod(text, &e);
	if (e == text || errno || !isfinite(v) || v < 0)
		return -1;
	s->percent = *e == '%';
	e += s->percent;
	if (s->percent ? v > 100 : v != floor(v))
		return -1;
	s->amount = v;
	*end = e;
	return 0;
}

static int parse_seed(const char *text, uint64_t *seed)
{
	char *e;
	errno = 0;
	if (*text == '-' || !*text)
		return -1;
	*seed = strtoull(text, &e, 0);
	return errno || *e ? -1 : 0;
}

static int parse_scheme(const char *spec, const char *arg, struct model_set *s, char *err, size_t errlen)
{
	const char *end;
	if (parse_amount(arg, s, &end) < 0 || (*end && (s->scheme != MS_RANDOM || *end != ':')) ||
	    (*end == ':' && parse_seed(end + 1, &s->seed) < 0)) {
		set_err(err, errlen, "'%s': expected %s", spec,
			s->scheme == MS_RANDOM ? "random:N[%][:SEED]" : "least:N[%] or most:N[%]");
		return -1;
	}
	return 0;
}

int model_parse_set(const char *spec, struct model_set *s, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		enum model_scheme scheme;
	} words[] = {{"policy", MS_POLICY}, {"all", MS_ALL}, {"none", MS_NONE}};
	static const char *prefixes[] = {[MS_LEAST] = "least:", [MS_MOST] = "most:", [MS_RANDOM] = "random:"};
	memset(s, 0, sizeof(*s));
	s->seed = 1;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(spec, words[i].name))
			return s->scheme = words[i].scheme, 0;
	for (int k = MS_LEAST; k <= MS_RANDOM; k++) {
		/* `least` alone is the scheme without its amount, not a name */
		size_t len = strlen(prefixes[k]) - 1;
		if (!strncmp(spec, prefixes[k], len) && (!spec[len] || spec[len] == ':')) {
			s->scheme = (enum model_scheme)k;
			return parse_scheme(spec, spec + len + !!spec[len], s, err, errlen);
		}
	}
	if (!*spec || strlen(spec) >= sizeof(s->list) || strspn(spec, ",") == strlen(spec)) {
		set_err(err, errlen, "'%s': expected policy, all, none, least:N[%%], most:N[%%], "
				     "random:N[%%][:SEED] or NAME,...", spec);
		return -1;
	}
	s->scheme = MS_LIST;
	strcpy(s->list, spec);
	return 0;
}

int model_used(const struct model_input *in)
{
	int n = 0;
	for (int i = 0; i < in->n; i++)
		n += model_exec(&in->calls[i]) > 0;
	return n;
}

int model_set_count(const struct model_input *in, const struct model_set *s)
{
	int used = model_used(in);
	double k = s->percent ? round(s->amount * used / 100.0) : s->amount;
	return k < used ? (int)k : used;
}

/* ---- orders of the used units ---- */

struct sort_ctx {
	const struct model_input *in;
	int dir; /* +1 least first, -1 most first */
};

static int cmp_key(double a, double b)
{
	return (a > b) - (a < b);
}

/* qsort_r's comparator: count, then host time, in the context's
 * direction; then number and name, ascending either way. */
static int cmp_freq(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *ctx = arg;
	const struct model_call *a = &ctx->in->calls[*(const int *)pa], *b = &ctx->in->calls[*(const int *)pb];
	int c = cmp_key(model_exec(a), model_exec(b));
	if (!c)
		c = cmp_key(a->g_ns, b->g_ns);
	if (c)
		return ctx->dir * c;
	if (a->nr != b->nr)
		return a->nr < b->nr ? -1 : 1;
	return strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

/* The used units' indices in idx, sorted; their number. */
static int sorted_used(const struct model_input *in, int dir, int *idx)
{
	struct sort_ctx ctx = {in, dir};
	int n = 0;
	for (int i = 0; i < in->n; i++)
		if (model_exec(&in->calls[i]) > 0)
			idx[n++] = i;
	qsort_r(idx, (size_t)n, sizeof(*idx), cmp_freq, &ctx);
	return n;
}

/* splitmix64 (Steele, Lea, Flood 2014): small, and the same everywhere. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The first k of idx[n] become a uniform random k-subset.  The modulo's
 * bias is below 2^-50 for any n a syscall table allows. */
static void shuffle_prefix(int *idx, int n, int k, uint64_t seed)
{
	uint64_t st = seed;
	for (int i = 0; i < k && i < n - 1; i++) {
		int j = i + (int)(splitmix64(&st) % (uint64_t)(n - i));
		int t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
}

static int assign_ranked(const struct model_input *in, const struct model_set *s, double *b)
{
	int *idx = malloc(sizeof(int) * (size_t)(in->n ? in->n : 1));
	if (!idx)
		return -1;
	int n = sorted_used(in, s->scheme == MS_MOST ? -1 : 1, idx);
	int k = model_set_count(in, s);
	if (s->scheme == MS_RANDOM)
		shuffle_prefix(idx, n, k, s->seed);
	for (int i = 0; i < k; i++)
		b[idx[i]] = 1;
	free(idx);
	return 0;
}

/* Whether unit name is `word`, or a feature `word:...` of call `word`. */
static bool name_matches(const char *name, const char *word, size_t len)
{
	return name && !strncmp(name, word, len) && (name[len] == 0 || name[len] == ':');
}

static int assign_list(const struct model_input *in, const struct model_set *s, double *b, char *err,
		       size_t errlen)
{
	for (const char *w = s->list; *w; w += *w == ',') {
		size_t len = strcspn(w, ",");
		bool hit = false;
		for (int i = 0; len && i < in->n; i++)
			if (name_matches(in->calls[i].name, w, len) &&
			    (strlen(in->calls[i].name) == len || !memchr(w, ':', len)))
				b[i] = 1, hit = true;
		char word[256];
		snprintf(word, sizeof(word), "%.*s", (int)len, w);
		word[strcspn(word, ":")] = 0;
		if (len && !hit && sc_by_name(word) < 0) {
			set_err(err, errlen, "'%.*s': not a system call nor a unit of the run", (int)len, w);
			return -1;
		}
		w += len;
	}
	return 0;
}

int model_assign(const struct model_input *in, const struct model_set *s, double *b, char *err, size_t errlen)
{
	for (int i = 0; i < in->n; i++) {
		const struct model_call *c = &in->calls[i];
		double x = model_exec(c);
		if (s->scheme == MS_POLICY)
			b[i] = x > 0 ? fmax(0, x - c->n_local) / x : 0;
		else
			b[i] = s->scheme == MS_ALL;
	}
	switch (s->scheme) {
	case MS_LEAST:
	case MS_MOST:
	case MS_RANDOM:
		if (assign_ranked(in, s, b) < 0)
			return set_err(err, errlen, "out of memory"), -1;
		return 0;
	case MS_LIST:
		return assign_list(in, s, b, err, errlen);
	default:
		return 0;
	}
}

/* ---- the greedy order ---- */

/* The forwarded unit (b > 0, calls executed) whose move to local leaves
 * the smallest t_d (t: t_d as b stands), or -1. */
static int best_move(const struct model_input *in, const double *b, double t, double fc_ns)
{
	int best = -1;
	double best_t = 0;
	for (int i = 0; i < in->n; i++) {
		const struct model_call *c = &in->calls[i];
		if (b[i] <= 0 || model_exec(c) <= 0)
			continue;
		double ti = t - model_cost(c, b[i], fc_ns) + model_cost(c, 0, fc_ns);
		if (best < 0 || ti < best_t ||
		    (ti == best_t && model_exec(c) > model_exec(&in->calls[best])))
			best = i, best_t = ti;
	}
	return best;
}

int model_order(const struct model_input *in, const double *b0, double gamma, double fc_ns,
		struct model_step *steps)
{
	double *b = malloc(sizeof(double) * (size_t)(in->n ? in->n : 1));
	int n = 0;
	if (!b)
		return -1;
	memcpy(b, b0, sizeof(double) * (size_t)in->n);
	double t_nd = model_t_nd(in), t = model_t_d(in, b, gamma, fc_ns);
	for (int i; n < in->n && (i = best_move(in, b, t, fc_ns)) >= 0; n++) {
		b[i] = 0;
		t = model_t_d(in, b, gamma, fc_ns);
		steps[n] = (struct model_step){i, t_nd / t}; /* model_sr */
	}
	free(b);
	return n;
}

/* ---- sweeps ---- */

void model_linspace(double lo, double hi, int n, double *out)
{
	for (int i = 0; i < n; i++)
		out[i] = n > 1 ? lo + (hi - lo) * i / (n - 1) : lo;
}

void model_logspace(double lo, double hi, int n, double *out)
{
	model_linspace(log10(lo), log10(hi), n, out);
	for (int i = 0; i < n; i++)
		out[i] = pow(10, out[i]);
}

/* What one point of a surface is evaluated with. */
struct point {
	double gamma, fc;
	const double *b;
};

/* Sets the point's coordinate on axis a to v; a FRACTION fills frac_b. */
static int set_axis(const struct model_input *in, const struct model_set *scheme, enum model_axis a, double v,
		    struct point *pt, double *frac_b)
{
	if (a == MX_GAMMA)
		pt->gamma = v;
	else if (a == MX_FC)
		pt->fc = v;
	else {
		struct model_set s = *scheme;
		s.amount = v * 100, s.percent = true;
		if (model_assign(in, &s, frac_b, NULL, 0) < 0)
			return -1;
		pt->b = frac_b;
	}
	return 0;
}

int model_surface(const struct model_input *in, const double *b, const struct model_set *scheme,
		  double gamma, double fc_ns, struct model_grid x, struct model_grid y, double *z)
{
	bool frac = x.axis == MX_FRACTION || y.axis == MX_FRACTION;
	if (frac && (!scheme || scheme->scheme < MS_LEAST || scheme->scheme > MS_RANDOM))
		return -1;
	double *fb = malloc(sizeof(double) * (size_t)(in->n ? in->n : 1));
	if (!fb)
		return -1;
	int rc = 0;
	for (int iy = 0; iy < y.n && !rc; iy++) {
		struct point pt = {gamma, fc_ns, b};
		rc = set_axis(in, scheme, y.axis, y.v[iy], &pt, fb);
		for (int ix = 0; ix < x.n && !rc; ix++) {
			rc = set_axis(in, scheme, x.axis, x.v[ix], &pt, fb);
			z[iy * x.n + ix] = model_sr(in, pt.b, pt.gamma, pt.fc);
		}
	}
	free(fb);
	return rc;
}
