/* Drawing (view.h). */
#include "tui/view.h"

#include "tui/keys.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_LINES 4 /* title, model, campaign or totals, column names */
#define FOOT_LINES 3 /* two plots, status */

int screen_init(struct screen *s, int w, int h)
{
	s->w = w < 20 ? 20 : w;
	s->h = h < 8 ? 8 : h;
	s->text = realloc(s->text, (size_t)s->w * (size_t)s->h);
	s->attr = realloc(s->attr, (size_t)s->w * (size_t)s->h);
	return s->text && s->attr ? 0 : -1;
}

void screen_free(struct screen *s)
{
	free(s->text);
	free(s->attr);
	s->text = NULL;
	s->attr = NULL;
}

static void clear(struct screen *s)
{
	memset(s->text, ' ', (size_t)s->w * (size_t)s->h);
	memset(s->attr, TA_NORMAL, (size_t)s->w * (size_t)s->h);
}

/* Text at (x, y), clipped to the screen; non-printable bytes as '?'. */
static int put(struct screen *s, int x, int y, enum tui_attr a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int put(struct screen *s, int x, int y, enum tui_attr a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	int i = 0;
	for (; buf[i] && y >= 0 && y < s->h && x + i < s->w; i++) {
		if (x + i < 0)
			continue;
		unsigned char c = (unsigned char)buf[i];
		s->text[y * s->w + x + i] = c >= 32 && c < 127 ? (char)c : '?';
		s->attr[y * s->w + x + i] = (uint8_t)a;
	}
	return i;
}

static void fill_attr(struct screen *s, int y, enum tui_attr a)
{
	if (y >= 0 && y < s->h)
		memset(s->attr + y * s->w, a, (size_t)s->w);
}

void screen_print(const struct screen *s, FILE *f)
{
	for (int y = 0; y < s->h; y++) {
		int n = s->w;
		while (n > 0 && s->text[y * s->w + n - 1] == ' ')
			n--;
		fprintf(f, "%.*s\n", n, s->text + y * s->w);
	}
}

void view_init(struct tui_view *v)
{
	memset(v, 0, sizeof(*v));
	v->sort = TC_COUNT;
	v->desc = true;
	v->detail_nr = -1;
	v->page = view_table_rows(24);
}

void view_free(struct tui_view *v)
{
	free(v->order);
	v->order = NULL;
}

int view_table_rows(int h)
{
	int n = h - HEAD_LINES - FOOT_LINES;
	return n < 1 ? 1 : n;
}

void view_update(const struct tui_model *m, struct tui_view *v)
{
	if (v->cap < m->nrows + 1) {
		int *o = realloc(v->order, ((size_t)m->nrows + 1) * sizeof(int));
		if (!o)
			return;
		v->order = o, v->cap = m->nrows + 1;
	}
	v->norder = tm_order(m, v->sort, v->desc, v->filter, v->expanded, v->order);
	if (v->cursor >= v->norder)
		v->cursor = v->norder - 1;
	if (v->cursor < 0)
		v->cursor = 0;
}

const struct tm_row *view_selected(const struct tui_model *m, const struct tui_view *v)
{
	return v->cursor >= 0 && v->cursor < v->norder ? &m->rows[v->order[v->cursor]] : NULL;
}

/* ------------------------------------------------------------- numbers */

static const char *fmt_ns(double ns, char *buf, size_t len)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else if (ns >= 1e9)
		snprintf(buf, len, "%.2fs", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else
		snprintf(buf, len, "%.0fns", ns);
	return buf;
}

static const char *fmt_count(double n, char *buf, size_t len)
{
	if (n >= 1e7)
		snprintf(buf, len, "%.1fM", n / 1e6);
	else if (n >= 1e5)
		snprintf(buf, len, "%.0fk", n / 1e3);
	else
		snprintf(buf, len, "%.0f", n);
	return buf;
}

static enum tui_attr class_attr(const struct tm_row *r)
{
	static const enum tui_attr by_class[FC__COUNT] = {TA_NORMAL, TA_PENDING, TA_REQUIRED, TA_STUB,
							  TA_FAKE,   TA_BOTH,    TA_FLAKY};
	return r->running ? TA_RUNNING : r->cls >= 0 && r->cls < FC__COUNT ? by_class[r->cls] : TA_NORMAL;
}

static const char *class_text(const struct tm_row *r)
{
	static const char *const names[FC__COUNT] = {"", "pending", "required", "stub ok", "fake ok", "both",
						     "flaky"};
	if (r->running)
		return "running";
	return r->cls >= 0 && r->cls < FC__COUNT ? names[r->cls] : "?";
}

/* -------------------------------------------------------------- header */

static void draw_header(const struct tui_model *m, const struct tui_view *v, struct screen *s)
{
	const struct tm_header *h = &m->h;
	const struct tm_proj *p = &m->proj;
	char a[16], b[16], c[16], right[64];
	int rn = snprintf(right, sizeof(right), " %s %.1fs", h->state, h->elapsed_s);
	put(s, 0, 0, TA_TITLE, "hyperloupe tui | %s | %.*s", h->source, s->w - 24 - rn, h->title);
	put(s, s->w - rn, 0, TA_TITLE, "%s", right);
	fill_attr(s, 0, TA_TITLE);
	put(s, 0, 1, TA_NORMAL, "p=%.3f C=%s Sg=%s | gamma=%g fc=%s fwd=%s | S_n=%.2f S_r=%.2f%s%s", p->p,
	    fmt_ns(h->C_ns, a, sizeof(a)), fmt_ns(h->sum_g_ns, b, sizeof(b)), p->gamma, fmt_ns(p->fc_ns, c, sizeof(c)),
	    tm_schemes[p->scheme], p->S_n, p->S_r, h->phase[0] ? " phase=" : "", h->phase);
	if (h->progress[0]) {
		put(s, 0, 2, TA_NORMAL, "campaign %s: %s", h->state, h->progress);
	} else {
		uint64_t calls = 0, errors = 0;
		for (int i = 0; i < m->nrows; i++)
			if (m->rows[i].kind == TK_CALL)
				calls += m->rows[i].count, errors += m->rows[i].errors;
		put(s, 0, 2, TA_NORMAL, "%llu calls, %llu errors, %d rows%s%s", (unsigned long long)calls,
		    (unsigned long long)errors, v->norder, v->filter[0] ? ", filter: " : "", v->filter);
	}
}

/* The widths of the columns after the name's, which takes the rest
 * (name_width). */
static const int col_w[TC__COUNT] = {0, 3, 8, 7, 8, 7, 6, 8, 8};

static int name_width(const struct screen *s)
{
	int w = s->w - 1;
	for (int c = 1; c < TC__COUNT; c++)
		w -= col_w[c] + 1;
	return w;
}

static void draw_columns(const struct tui_view *v, struct screen *s, int y)
{
	int name_w = name_width(s);
	int x = put(s, 0, y, TA_HEADER, "%-*s", name_w, v->sort == TC_NAME ? (v->desc ? "NAME v" : "NAME ^") : "NAME");
	static const char *const titles[TC__COUNT] = {"", "NR", "COUNT", "RATE/s", "TOTAL", "MEAN", "SHARE",
						      "POLICY", "CLASS"};
	for (int c = 1; c < TC__COUNT; c++) {
		char t[16];
		snprintf(t, sizeof(t), "%s%s", titles[c], (int)v->sort == c ? (v->desc ? "v" : "^") : "");
		x += put(s, x, y, TA_HEADER, c >= TC_POLICY ? " %-*s" : " %*s", col_w[c], t);
	}
	fill_attr(s, y, TA_HEADER);
}

/* --------------------------------------------------------------- table */

static void draw_row(const struct tui_model *m, const struct tui_view *v, const struct tm_row *r, struct screen *s,
		     int y, bool selected)
{
	char name[TM_NAME + 8], cnt[16], rate[16], tot[16], mean[16];
	int name_w = name_width(s);
	bool kids = r->kind == TK_CALL && tm_has_children(m, r->nr);
	bool open = r->nr >= 0 && r->nr < SC_TABLE_SIZE && v->expanded[r->nr];
	snprintf(name, sizeof(name), "%s%s", r->kind != TK_CALL ? "   " : kids ? (open ? "- " : "+ ") : "  ", r->name);
	double share = m->h.sum_g_ns > 0 ? 100.0 * (double)r->host_ns / m->h.sum_g_ns : 0;
	int x = put(s, 0, y, TA_NORMAL, "%-*.*s", name_w, name_w, name);
	if (r->kind == TK_CALL)
		x += put(s, x, y, TA_NORMAL, " %*d", col_w[TC_NR], r->nr);
	else
		x += put(s, x, y, TA_NORMAL, " %*s", col_w[TC_NR], "");
	char pol[16];
	snprintf(pol, sizeof(pol), "%s%s", r->whatif >= 0 ? "*" : "", policy_action_name(tm_policy(r)));
	x += put(s, x, y, TA_NORMAL, " %*s %*s %*s %*s %*.1f%% %-*.*s", col_w[TC_COUNT],
		 fmt_count((double)r->count, cnt, sizeof(cnt)), col_w[TC_RATE],
		 r->rate < 0 ? "-" : fmt_count(r->rate, rate, sizeof(rate)), col_w[TC_TOTAL], fmt_ns((double)r->host_ns, tot, sizeof(tot)),
		 col_w[TC_MEAN], fmt_ns(r->count ? (double)r->host_ns / (double)r->count : NAN, mean, sizeof(mean)),
		 col_w[TC_SHARE] - 1, share, col_w[TC_POLICY], col_w[TC_POLICY], pol);
	put(s, x + 1, y, class_attr(r), "%-*s", col_w[TC_CLASS], class_text(r));
	if (selected)
		fill_attr(s, y, TA_SELECTED);
}

static void draw_table(const struct tui_model *m, const struct tui_view *v, struct screen *s)
{
	int rows = view_table_rows(s->h);
	draw_columns(v, s, HEAD_LINES - 1);
	for (int i = 0; i < rows && v->top + i < v->norder; i++) {
		int k = v->top + i;
		draw_row(m, v, &m->rows[v->order[k]], s, HEAD_LINES + i, k == v->cursor);
	}
	if (!v->norder)
		put(s, 2, HEAD_LINES + 1, TA_DIM, "%s", v->filter[0] ? "no system call matches the filter"
								   : "no system calls recorded yet");
}

/* --------------------------------------------------------------- plots */

/* One character per point, from ' ' (lowest) to '#' (highest). */
static void sparkline(const double *y, int n, char *out, double *lo, double *hi)
{
	static const char levels[] = " ._-=+*#";
	*lo = INFINITY, *hi = -INFINITY;
	for (int i = 0; i < n; i++)
		if (!isnan(y[i]))
			*lo = fmin(*lo, y[i]), *hi = fmax(*hi, y[i]);
	for (int i = 0; i < n; i++) {
		double f = *hi > *lo && !isnan(y[i]) ? (y[i] - *lo) / (*hi - *lo) : 0.5;
		out[i] = levels[(int)lround(f * 7)];
	}
	out[n] = 0;
}

static void draw_plots(const struct tui_model *m, struct screen *s, int y)
{
	char a[TM_CURVE + 1], b[TM_CURVE + 1];
	double alo, ahi, blo, bhi;
	sparkline(m->proj.curve_gamma, TM_CURVE, a, &alo, &ahi);
	sparkline(m->proj.curve_fc, TM_CURVE, b, &blo, &bhi);
	put(s, 0, y, TA_NORMAL, "S_r vs gamma 1..100: [%s] %.2f .. %.2f", a, m->proj.curve_gamma[0],
	    m->proj.curve_gamma[TM_CURVE - 1]);
	put(s, 0, y + 1, TA_NORMAL, "S_r vs fc 1ns..10s:  [%s] %.2f .. %.2f", b, m->proj.curve_fc[0],
	    m->proj.curve_fc[TM_CURVE - 1]);
}

static void draw_status(const struct tui_view *v, struct screen *s)
{
	int y = s->h - 1;
	if (v->mode == TM_FILTER)
		put(s, 0, y, TA_TITLE, "filter: %s_   (Enter: apply, Esc: cancel)", v->edit);
	else if (v->message[0])
		put(s, 0, y, TA_TITLE, "%s", v->message);
	else
		put(s, 0, y, TA_TITLE, "?:help q:quit /:find s:sort Enter:detail +:open <>:gamma {}:fc f:fwd p:what-if");
	fill_attr(s, y, TA_TITLE);
}

/* -------------------------------------------------------------- detail */

static int draw_features(const struct tui_model *m, const struct tm_row *c, struct screen *s, int y, int max)
{
	char tot[16];
	int n = 0;
	put(s, 0, y++, TA_HEADER, "%-*s", s->w, "Sub-features and pseudo-files        count      total  policy   class");
	for (int i = 0; i < m->nrows && n < max; i++) {
		const struct tm_row *r = &m->rows[i];
		if (r->kind == TK_CALL || r->nr != c->nr)
			continue;
		put(s, 0, y + n, TA_NORMAL, "  %-32.32s %8llu %10s  %-7s", r->name, (unsigned long long)r->count,
		    fmt_ns((double)r->host_ns, tot, sizeof(tot)), policy_action_name(tm_policy(r)));
		put(s, 64, y + n, class_attr(r), "%s", class_text(r));
		n++;
	}
	if (!n)
		put(s, 2, y + n++, TA_DIM, "none recorded");
	return n + 1;
}

static void draw_hist(const struct tm_row *c, struct screen *s, int y, int max)
{
	static const char *const labels[TM_HIST] = {"<1us",      "1-4us",    "4-16us",   "16-64us",
						    "64-256us",  "256us-1ms", "1-4ms",    "4-16ms",
						    "16-66ms",   "66-262ms", "262ms-1s", ">=1s"};
	uint32_t top = 0;
	int bar = s->w - 24;
	put(s, 0, y++, TA_HEADER, "%-*s", s->w, "Latency (host time per call)");
	if (!c->has_hist) {
		put(s, 2, y, TA_DIM, "no histogram in this source");
		return;
	}
	int first = TM_HIST, last = -1;
	for (int b = 0; b < TM_HIST; b++) {
		top = c->hist[b] > top ? c->hist[b] : top;
		if (c->hist[b])
			first = first < b ? first : b, last = b;
	}
	/* From the first bucket with calls to the last: gaps show as gaps. */
	for (int b = first, line = 0; b <= last && line < max; b++, line++) {
		int len = top ? (int)((uint64_t)c->hist[b] * (uint64_t)bar / top) : 0;
		put(s, 2, y + line, TA_NORMAL, "%-9s %9u |", labels[b], c->hist[b]);
		for (int k = 0; k < len; k++)
			put(s, 23 + k, y + line, TA_BOTH, "#");
	}
}

static void draw_detail(const struct tui_model *m, const struct tui_view *v, struct screen *s)
{
	const struct tm_row *c = tm_find_call(m, v->detail_nr);
	char tot[16], mean[16];
	if (!c) {
		put(s, 0, HEAD_LINES, TA_DIM, "system call %d is no longer recorded", v->detail_nr);
		return;
	}
	int y = HEAD_LINES - 1;
	put(s, 0, y++, TA_HEADER, "%-*s", s->w, c->name);
	put(s, 0, y++, TA_NORMAL, "nr %d: %llu calls, %llu errors, total %s, mean %s; class: %s", c->nr,
	    (unsigned long long)c->count, (unsigned long long)c->errors, fmt_ns((double)c->host_ns, tot, sizeof(tot)),
	    fmt_ns(c->count ? (double)c->host_ns / (double)c->count : NAN, mean, sizeof(mean)),
	    c->cls == FC_UNUSED ? "-" : class_text(c));
	put(s, 0, y++, TA_NORMAL, "run: forwarded %llu, local %llu, stubbed %llu, faked %llu; projected as %s%s",
	    (unsigned long long)c->outcome[POL_FORWARD], (unsigned long long)c->outcome[POL_LOCAL],
	    (unsigned long long)c->outcome[POL_STUB], (unsigned long long)c->outcome[POL_FAKE],
	    policy_action_name(tm_policy(c)), c->whatif >= 0 ? " (what-if)" : "");
	put(s, 0, y++, TA_NORMAL, "call sites: %s", v->sites[0] ? v->sites : "-");
	int room = s->h - FOOT_LINES - y, feats = room / 2 - 1;
	y += draw_features(m, c, s, y, feats < 1 ? 1 : feats);
	draw_hist(c, s, y, s->h - FOOT_LINES - y - 1);
}

/* ---------------------------------------------------------------- help */

static void draw_help(struct screen *s)
{
	int shown = 0;
	for (int i = 0; i < tui_nkeys; i++)
		shown += tui_keys[i].keys != NULL;
	/* One column when it fits, else two. */
	int y = 1, x = 0, colw = shown <= s->h - 4 || s->w < 80 ? s->w : s->w / 2;
	put(s, 0, 0, TA_TITLE, "%-*s", s->w, "hyperloupe tui: keys (any key returns)");
	for (int i = 0; i < tui_nkeys; i++) {
		if (!tui_keys[i].keys)
			continue;
		if (y >= s->h - 3)
			y = 1, x += colw;
		put(s, x, y++, TA_NORMAL, "%-10s %.*s", tui_keys[i].keys, colw - 12, tui_keys[i].help);
	}
	put(s, 0, s->h - 2, TA_DIM, "Classes: required, stub ok, fake ok, both, flaky, pending, running (explore).");
	put(s, 0, s->h - 1, TA_DIM, "S_n = 1/(p + (1-p)/gamma); S_r adds 2 fc per forwarded call (README).");
}

void view_draw(const struct tui_model *m, const struct tui_view *v, struct screen *s)
{
	clear(s);
	enum tui_mode mode = v->mode == TM_FILTER ? v->back : v->mode;
	if (mode == TM_HELP) {
		draw_help(s);
		return;
	}
	draw_header(m, v, s);
	if (mode == TM_DETAIL)
		draw_detail(m, v, s);
	else
		draw_table(m, v, s);
	draw_plots(m, s, s->h - FOOT_LINES);
	draw_status(v, s);
}
