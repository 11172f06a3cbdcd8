/* The TUI without a terminal: the model's order and projection, the key
 * table and actions, key scripts, and what the view draws. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/model.h"
#include "tui/view.h"

/* read: many cheap calls; write: fewer, dearer; ioctl with a sub-feature. */
static void fill(struct tui_model *m)
{
	tm_init(m);
	tm_begin(m);
	struct tm_row *r = tm_row(m, 0, TK_CALL, "read");
	r->count = 1000, r->host_ns = 2000000, r->outcome[POL_FORWARD] = 1000;
	r = tm_row(m, 1, TK_CALL, "write");
	r->count = 10, r->host_ns = 6000000, r->outcome[POL_FORWARD] = 10, r->cls = FC_REQUIRED;
	r = tm_row(m, 16, TK_CALL, "ioctl");
	r->count = 3, r->host_ns = 3000, r->outcome[POL_STUB] = 3, r->cls = FC_BOTH;
	r = tm_row(m, 16, TK_SUB, "TCGETS");
	r->count = 3, r->host_ns = 3000;
	m->h.C_ns = 12000000;
	snprintf(m->h.title, sizeof(m->h.title), "test program");
	tm_end(m, 0);
}

static void test_order(void **state)
{
	(void)state;
	struct tui_model m;
	bool expanded[512] = {false};
	int out[8];
	fill(&m);
	assert_int_equal(tm_order(&m, TC_COUNT, true, "", expanded, out), 3);
	assert_string_equal(m.rows[out[0]].name, "read");
	assert_string_equal(m.rows[out[2]].name, "ioctl");
	assert_int_equal(tm_order(&m, TC_TOTAL, true, "", expanded, out), 3);
	assert_string_equal(m.rows[out[0]].name, "write");
	expanded[16] = true;
	assert_int_equal(tm_order(&m, TC_NAME, false, "", expanded, out), 4);
	assert_string_equal(m.rows[out[0]].name, "ioctl");
	assert_string_equal(m.rows[out[1]].name, "TCGETS"); /* under its call */
	assert_int_equal(tm_order(&m, TC_NAME, false, "r", expanded, out), 2); /* read, write */
	tm_free(&m);
}

static void test_projection(void **state)
{
	(void)state;
	struct tui_model m;
	fill(&m);
	/* p = Σg / (C + Σg) over what ran: the stubbed ioctl still counts in g. */
	double g = 2000000 + 6000000 + 3000;
	assert_float_equal(m.proj.p, g / (12000000 + g), 1e-9);
	assert_float_equal(m.proj.S_n, 1 / (m.proj.p + (1 - m.proj.p) / 2), 1e-9);
	/* Forwarding nothing at no cost: the refined model is the naive one,
	 * but for the stubbed ioctl, which costs nothing. */
	m.proj.scheme = 2; /* none */
	m.proj.fc_ns = 0;
	tm_project(&m);
	assert_string_equal(tm_schemes[2], "none");
	assert_float_equal(m.proj.S_r, (12000000 + g) / (6000000 + 8000000), 1e-9);
	/* Forwarding everything costs 2 f_c per call: lower. */
	double none = m.proj.S_r;
	m.proj.scheme = 1, m.proj.fc_ns = 1000;
	tm_project(&m);
	assert_true(m.proj.S_r < none);
	assert_float_equal(m.proj.S_r, (12000000 + g) / (6000000 + 8000000 + 2 * 1000 * 1010.0), 1e-9);
	/* A what-if making write local gives back its 2 f_c n. */
	m.rows[1].whatif = POL_LOCAL;
	tm_project(&m);
	assert_float_equal(m.proj.S_r, (12000000 + g) / (6000000 + 8000000 + 2 * 1000 * 1000.0), 1e-9);
	assert_true(m.proj.curve_gamma[TM_CURVE - 1] > m.proj.curve_gamma[0]);
	assert_true(m.proj.curve_fc[TM_CURVE - 1] < m.proj.curve_fc[0]);
	tm_free(&m);
}

static void test_keys(void **state)
{
	(void)state;
	struct tui_model m;
	struct tui_view v;
	fill(&m);
	view_init(&v);
	view_update(&m, &v);
	assert_string_equal(view_selected(&m, &v)->name, "read");
	assert_true(tui_key(&m, &v, 'j'));
	assert_string_equal(view_selected(&m, &v)->name, "write");
	assert_true(tui_key(&m, &v, 'p')); /* write: forward */
	assert_int_equal(m.rows[1].whatif, POL_FORWARD);
	assert_true(tui_key(&m, &v, 'p')); /* local */
	assert_non_null(strstr(v.message, "write local"));
	assert_true(tui_key(&m, &v, 'r'));
	assert_int_equal(m.rows[1].whatif, -1);
	double gamma = m.proj.gamma;
	assert_true(tui_key(&m, &v, '>'));
	assert_float_equal(m.proj.gamma, 2 * gamma, 1e-12);
	for (int i = 0; i < 10; i++)
		tui_key(&m, &v, '<');
	assert_float_equal(m.proj.gamma, 1, 1e-12); /* never below 1 */
	/* The filter: typed, applied with Enter. */
	const char *keys = "/ioc";
	for (const char *k = keys; *k; k++)
		assert_true(tui_key(&m, &v, *k));
	assert_int_equal(v.mode, TM_FILTER);
	assert_true(tui_key(&m, &v, TK_ENTER));
	assert_int_equal(v.norder, 1);
	assert_true(tui_key(&m, &v, '+'));
	assert_int_equal(v.norder, 2);
	assert_true(tui_key(&m, &v, TK_ENTER));
	assert_int_equal(v.mode, TM_DETAIL);
	assert_int_equal(v.detail_nr, 16);
	assert_true(tui_key(&m, &v, TK_ESC));
	assert_int_equal(v.mode, TM_MAIN);
	assert_true(tui_key(&m, &v, '?'));
	assert_int_equal(v.mode, TM_HELP);
	assert_true(tui_key(&m, &v, 'q')); /* any key leaves the help, q too */
	assert_false(tui_key(&m, &v, 'q'));
	/* Every action but "none" has a key, and no key is bound twice. */
	for (int a = A_NONE + 1; a < A__COUNT; a++) {
		int bound = 0;
		for (int i = 0; i < tui_nkeys; i++)
			bound += tui_keys[i].action == (enum tui_action)a;
		assert_true(bound > 0);
	}
	for (int i = 0; i < tui_nkeys; i++)
		for (int k = i + 1; k < tui_nkeys; k++)
			assert_int_not_equal(tui_keys[i].key, tui_keys[k].key);
	view_free(&v);
	tm_free(&m);
}

static void test_key_script(void **state)
{
	(void)state;
	int keys[16];
	char err[128];
	assert_int_equal(app_parse_keys("j<Down><Enter>x<lt><resize:100x30>", keys, 16, err, sizeof(err)), 6);
	assert_int_equal(keys[0], 'j');
	assert_int_equal(keys[1], TK_DOWN);
	assert_int_equal(keys[2], TK_ENTER);
	assert_int_equal(keys[4], '<');
	assert_int_equal(-keys[5] - 2, 100 << 12 | 30);
	assert_int_equal(app_parse_keys("<Nope>", keys, 16, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "<Nope>"));
	assert_int_equal(app_parse_keys("<resize:5x5>", keys, 16, err, sizeof(err)), -1);
	assert_int_equal(app_parse_keys("<Down", keys, 16, err, sizeof(err)), -1);
}

/* The line of the screen that starts with prefix, or NULL. */
static const char *line(const struct screen *s, const char *prefix, char *buf)
{
	for (int y = 0; y < s->h; y++)
		if (!strncmp(s->text + y * s->w, prefix, strlen(prefix))) {
			memcpy(buf, s->text + y * s->w, (size_t)s->w);
			buf[s->w] = 0;
			return buf;
		}
	return NULL;
}

static void test_draw(void **state)
{
	(void)state;
	struct tui_model m;
	struct tui_view v;
	struct screen s = {0};
	char buf[256];
	fill(&m);
	view_init(&v);
	view_update(&m, &v);
	assert_int_equal(screen_init(&s, 80, 24), 0);
	view_draw(&m, &v, &s);
	assert_non_null(line(&s, "hyperloupe tui", buf));
	assert_non_null(strstr(buf, "test program"));
	assert_non_null(line(&s, "  read ", buf));
	assert_non_null(strstr(buf, " 0     1000 "));
	assert_int_equal(s.attr[4 * 80], TA_SELECTED); /* the cursor's row */
	assert_non_null(line(&s, "  write", buf));
	assert_non_null(strstr(buf, "required"));
	assert_non_null(line(&s, "+ ioctl", buf)); /* it has a sub-feature */
	assert_non_null(strstr(buf, "stub"));
	assert_non_null(strstr(buf, "both"));
	assert_non_null(line(&s, "S_r vs gamma", buf));
	/* Small screens clip, never overflow. */
	assert_int_equal(screen_init(&s, 20, 8), 0);
	view_draw(&m, &v, &s);
	for (int i = 0; i < s.w * s.h; i++)
		assert_true(s.text[i] >= 32 && s.text[i] < 127);
	screen_free(&s);
	view_free(&v);
	tm_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order), cmocka_unit_test(test_projection), cmocka_unit_test(test_keys),
		cmocka_unit_test(test_key_script), cmocka_unit_test(test_draw),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
