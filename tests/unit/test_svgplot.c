/* SVG charts: the output is well-formed XML (a small checker below), has
 * one path per series, the legend, escaped labels, round ticks, log axes
 * that leave out what they cannot show, and one cell per grid point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/svgplot.h"

/* ---- a minimal XML well-formedness check ---- */

#define MAX_DEPTH 32

/* Past the entity at p ("&amp;" ...), or NULL. */
static const char *entity(const char *p)
{
	static const char *const ok[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strncmp(p, ok[i], strlen(ok[i])))
			return p + strlen(ok[i]);
	return NULL;
}

/* Past the attributes of a start tag, at its '>' or "/>"; NULL when a
 * value holds a raw '<' or an unknown entity, or is not closed. */
static const char *attributes(const char *p)
{
	while (*p && *p != '>' && !(p[0] == '/' && p[1] == '>')) {
		if (*p != '"') {
			p++;
			continue;
		}
		for (p++; *p != '"';) {
			if (!*p || *p == '<')
				return NULL;
			if (*p != '&')
				p++;
			else if (!(p = entity(p)))
				return NULL;
		}
		p++;
	}
	return *p ? p : NULL;
}

/* Whether text is one XML element (after an optional declaration) with
 * balanced tags and escaped character data. */
static bool well_formed(const char *p)
{
	char stack[MAX_DEPTH][32];
	int depth = 0, roots = 0;
	if (!strncmp(p, "<?xml", 5)) {
		if (!(p = strstr(p, "?>")))
			return false;
		p += 2;
	}
	while (*p) {
		if (*p == '&') {
			if (!(p = entity(p)))
				return false;
			continue;
		}
		if (*p != '<') {
			if (*p == '>' || (depth == 0 && *p != '\n'))
				return false;
			p++;
			continue;
		}
		bool end = p[1] == '/';
		const char *name = p + 1 + end;
		size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
		if (n == 0 || n >= sizeof(stack[0]))
			return false;
		if (end) {
			if (!depth || strncmp(stack[depth - 1], name, n) || stack[depth - 1][n] || name[n] != '>')
				return false;
			depth--;
			p = name + n + 1;
			continue;
		}
		if (!(p = attributes(name + n)))
			return false;
		if (*p == '/') {
			roots += depth == 0;
			p += 2;
			continue;
		}
		if (depth == MAX_DEPTH)
			return false;
		roots += depth == 0;
		memcpy(stack[depth], name, n);
		stack[depth++][n] = 0;
		p++;
	}
	return depth == 0 && roots == 1;
}

/* ---- helpers ---- */

static int count(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* The d attribute of the i-th series path (static buffer). */
static const char *series_d(const char *svg, int i)
{
	static char d[4096];
	const char *p = svg;
	for (int k = 0; k <= i; k++) {
		p = strstr(p, "<path class=\"series\"");
		assert_non_null(p);
		p++;
	}
	p = strstr(p, " d=\"");
	assert_non_null(p);
	p += 4;
	size_t n = strcspn(p, "\"");
	assert_true(n < sizeof(d));
	memcpy(d, p, n);
	d[n] = 0;
	return d;
}

/* Whether a <text> element of svg reads exactly label. */
static bool has_text(const char *svg, const char *label)
{
	char want[128];
	snprintf(want, sizeof(want), ">%s</text>", label);
	return strstr(svg, want) != NULL;
}

static char *lines(const struct svg_axes *ax, const struct svg_series *s, int ns)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(svg_lines(f, ax, s, ns), 0);
	fclose(f);
	if (!well_formed(buf))
		fail_msg("not well-formed:\n%s", buf);
	return buf;
}

/* ---- tests ---- */

static void test_checker(void **state)
{
	(void)state;
	assert_true(well_formed("<?xml version=\"1.0\"?>\n<svg a=\"1\"><g><text>a &lt; b</text></g><rect/></svg>\n"));
	assert_false(well_formed("<svg><g></svg></g>"));
	assert_false(well_formed("<svg><text>a < b</text></svg>"));
	assert_false(well_formed("<svg><text>a & b</text></svg>"));
	assert_false(well_formed("<svg a=\"<\"/>"));
	assert_false(well_formed("<svg></svg><svg></svg>"));
	assert_false(well_formed("<svg><g>"));
}

static void test_lines(void **state)
{
	(void)state;
	const double x[] = {0, 1, 2, 3, 10}, y1[] = {0, 1, 4, 9, 100}, y2[] = {5, 5, 5, 5, 5};
	const double y3[] = {1, NAN, 2, 3, 4};
	struct svg_series s[] = {
		{.label = "squares", .x = x, .y = y1, .n = 5},
		{.label = "a<b & \"c\"", .x = x, .y = y2, .n = 5},
		{.label = "gap", .x = x, .y = y3, .n = 5},
	};
	struct svg_axes ax = {.title = "Title <1>", .xlabel = "x & more", .ylabel = "y"};
	char *svg = lines(&ax, s, 3);
	assert_int_equal(count(svg, "<path class=\"series\""), 3);
	assert_true(has_text(svg, "squares"));
	assert_true(has_text(svg, "a&lt;b &amp; &quot;c&quot;"));
	assert_null(strstr(svg, "a<b"));
	assert_true(has_text(svg, "Title &lt;1&gt;"));
	assert_true(has_text(svg, "x &amp; more"));
	/* Distinct colours from the palette. */
	assert_int_equal(count(svg, "stroke=\"#1f77b4\""), 2); /* path and legend */
	assert_int_equal(count(svg, "stroke=\"#ff7f0e\""), 2);
	assert_int_equal(count(svg, "stroke=\"#2ca02c\""), 2);
	/* Five points: one move, four lines; a NaN breaks the line. */
	assert_int_equal(count(series_d(svg, 0), "M"), 1);
	assert_int_equal(count(series_d(svg, 0), "L"), 4);
	assert_int_equal(count(series_d(svg, 2), "M"), 2);
	assert_int_equal(count(series_d(svg, 2), "L"), 2);
	/* x 0..10 in steps of 2, y 0..100 in steps of 20. */
	assert_true(has_text(svg, "0"));
	assert_true(has_text(svg, "6"));
	assert_true(has_text(svg, "10"));
	assert_true(has_text(svg, "80"));
	assert_false(has_text(svg, "5"));
	assert_false(has_text(svg, "25"));
	free(svg);
}

static void test_steps(void **state)
{
	(void)state;
	const double x[] = {0, 0, 2, 5}, y[] = {1, 2, 3, 4};
	struct svg_series s = {.label = "cumulative", .x = x, .y = y, .n = 4, .steps = true};
	struct svg_axes ax = {.title = "t"};
	char *svg = lines(&ax, &s, 1);
	/* Each point after the first: across, then up. */
	assert_int_equal(count(series_d(svg, 0), "L"), 6);
	free(svg);
	/* Counts get whole-number ticks only; other values halves. */
	const double c[] = {0, 1, 2}, h[] = {0, 0.5, 2};
	s = (struct svg_series){.label = "counts", .x = c, .y = c, .n = 3, .steps = true};
	svg = lines(&ax, &s, 1);
	assert_true(has_text(svg, "1"));
	assert_false(has_text(svg, "0.5"));
	free(svg);
	s.y = h;
	svg = lines(&ax, &s, 1);
	assert_true(has_text(svg, "0.5"));
	assert_true(has_text(svg, "1.5"));
	free(svg);
}

static void test_log(void **state)
{
	(void)state;
	const double x[] = {-1, 0, 1, 10, 100, 1000}, y[] = {1e-6, 1e-5, 1e-4, 1e-3, 0, 1e-3};
	struct svg_series s = {.label = "log", .x = x, .y = y, .n = 6};
	struct svg_axes ax = {.title = "t", .xlog = true, .ylog = true};
	char *svg = lines(&ax, &s, 1);
	/* x <= 0 (two points) and y == 0 are left out: (1, 1e-4), (10,
	 * 1e-3), then a break, then (1000, 1e-3). */
	assert_int_equal(count(series_d(svg, 0), "M"), 2);
	assert_int_equal(count(series_d(svg, 0), "L"), 1);
	assert_int_equal(count(svg, "<circle"), 3);
	/* Decades with SI suffixes. */
	assert_true(has_text(svg, "1"));
	assert_true(has_text(svg, "100"));
	assert_true(has_text(svg, "1k"));
	assert_true(has_text(svg, "100\xc2\xb5"));
	assert_true(has_text(svg, "1m"));
	assert_false(has_text(svg, "0"));
	assert_null(strstr(svg, "nan"));
	assert_null(strstr(svg, "inf"));
	free(svg);
}

static void test_many_series(void **state)
{
	(void)state;
	const double x[] = {1, 2}, y[] = {1, 2};
	struct svg_series s[12];
	char labels[12][8];
	for (int i = 0; i < 12; i++) {
		snprintf(labels[i], sizeof(labels[i]), "s%d", i);
		s[i] = (struct svg_series){.label = labels[i], .x = x, .y = y, .n = 2};
	}
	struct svg_axes ax = {0};
	char *svg = lines(&ax, s, 12);
	assert_int_equal(count(svg, "<path class=\"series\""), 12);
	for (int i = 0; i < 12; i++)
		assert_true(has_text(svg, labels[i]));
	/* Past the palette, dashed. */
	assert_int_equal(count(svg, "stroke-dasharray"), 4);
	free(svg);
	svg = lines(&ax, NULL, 0);
	assert_int_equal(count(svg, "<path class=\"series\""), 0);
	free(svg);
}

static char *heatmap(const struct svg_axes *ax, const double *xs, int nx, const double *ys, int ny, const double *z)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(svg_heatmap(f, ax, xs, nx, ys, ny, z, "speedup <S>"), 0);
	fclose(f);
	if (!well_formed(buf))
		fail_msg("not well-formed:\n%s", buf);
	return buf;
}

static void test_heatmap(void **state)
{
	(void)state;
	const double xs[] = {0, 1, 2}, ys[] = {10, 20, 30, 40};
	double z[12];
	for (int i = 0; i < 12; i++)
		z[i] = i;
	z[5] = NAN;
	struct svg_axes ax = {.title = "surface", .xlabel = "x", .ylabel = "y"};
	char *svg = heatmap(&ax, xs, 3, ys, 4, z);
	assert_int_equal(count(svg, "class=\"cell\""), 12);
	assert_true(has_text(svg, "speedup &lt;S&gt;"));
	/* The lowest value gets the scale's first colour, the highest its last,
	 * a missing one grey. */
	assert_int_equal(count(svg, "fill=\"#440154\"/>"), 1);
	assert_int_equal(count(svg, "fill=\"#fde725\"/>"), 1);
	assert_int_equal(count(svg, "fill=\"#cccccc\"/>"), 1);
	free(svg);
	/* A log axis leaves out the column at x = 0. */
	const double lx[] = {0, 1, 10};
	ax.xlog = true;
	svg = heatmap(&ax, lx, 3, ys, 4, z);
	assert_int_equal(count(svg, "class=\"cell\""), 8);
	assert_true(has_text(svg, "1"));
	assert_true(has_text(svg, "10"));
	free(svg);
	/* Repeated grid values: still numbers, no NaN. */
	const double same[] = {5, 5};
	svg = heatmap(&ax, same, 2, same, 2, z);
	assert_int_equal(count(svg, "class=\"cell\""), 4);
	assert_null(strstr(svg, "nan"));
	free(svg);
	/* A single cell. */
	ax.xlog = false;
	svg = heatmap(&ax, xs, 1, ys, 1, z);
	assert_int_equal(count(svg, "class=\"cell\""), 1);
	free(svg);
}

static void test_errors(void **state)
{
	(void)state;
	const double x[] = {1, 2};
	struct svg_series s = {.label = "s", .x = x, .y = x, .n = 2};
	struct svg_axes ax = {0};
	errno = 0;
	assert_int_equal(svg_lines(stdout, &ax, NULL, 1), -1);
	assert_int_equal(errno, EINVAL);
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		skip();
	assert_int_equal(svg_lines(f, &ax, &s, 1), -1);
	assert_int_equal(errno, ENOSPC);
	clearerr(f);
	double z[4] = {1, 2, 3, 4};
	assert_int_equal(svg_heatmap(f, &ax, x, 2, x, 2, z, "z"), -1);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker), cmocka_unit_test(test_lines),	    cmocka_unit_test(test_steps),
		cmocka_unit_test(test_log),	cmocka_unit_test(test_many_series), cmocka_unit_test(test_heatmap),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
