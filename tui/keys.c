/* The key table and the actions (keys.h). */
#include "tui/keys.h"

#include <ctype.h>
#include <string.h>

const struct tui_key tui_keys[] = {
	{'q', A_QUIT, "q", "quit"},
	{'?', A_HELP, "? F1", "this help"},
	{TK_F1, A_HELP, NULL, NULL},
	{TK_DOWN, A_DOWN, "Down j", "next row"},
	{'j', A_DOWN, NULL, NULL},
	{TK_UP, A_UP, "Up k", "previous row"},
	{'k', A_UP, NULL, NULL},
	{TK_PGDN, A_PGDN, "PgDn", "next page"},
	{TK_PGUP, A_PGUP, "PgUp", "previous page"},
	{TK_HOME, A_TOP, "Home g", "first row"},
	{'g', A_TOP, NULL, NULL},
	{TK_END, A_BOTTOM, "End G", "last row"},
	{'G', A_BOTTOM, NULL, NULL},
	{TK_ENTER, A_DETAIL, "Enter d", "details: sub-features, call sites, latency"},
	{'d', A_DETAIL, NULL, NULL},
	{TK_ESC, A_BACK, "Esc BS", "back to the table"},
	{TK_BACKSPACE, A_BACK, NULL, NULL},
	{'+', A_EXPAND, "+ Right", "show a call's sub-features and pseudo-files"},
	{TK_RIGHT, A_EXPAND, NULL, NULL},
	{'-', A_COLLAPSE, "- Left", "hide them"},
	{TK_LEFT, A_COLLAPSE, NULL, NULL},
	{'s', A_SORT, "s", "sort by the next column"},
	{'S', A_SORT_REVERSE, "S", "reverse the order"},
	{'/', A_FILTER, "/", "filter calls by name (Enter applies, empty clears)"},
	{'>', A_GAMMA_UP, "> <", "gamma x2 / /2 (compute speedup of the new OS)"},
	{'<', A_GAMMA_DOWN, NULL, NULL},
	{'}', A_FC_UP, "} {", "f_c x10 / /10 (forwarding cost per crossing)"},
	{'{', A_FC_DOWN, NULL, NULL},
	{'f', A_SCHEME, "f", "next forwarding scheme: policy all none least most random"},
	{'p', A_WHATIF, "p", "what-if for the row's call: forward local stub fake"},
	{'r', A_RESET, "r", "drop every what-if"},
};
const int tui_nkeys = sizeof(tui_keys) / sizeof(tui_keys[0]);

enum tui_action tui_key_action(int key)
{
	for (int i = 0; i < tui_nkeys; i++)
		if (tui_keys[i].key == key)
			return tui_keys[i].action;
	return A_NONE;
}

static void move(struct tui_view *v, int delta)
{
	int page = v->page;
	v->cursor += delta;
	if (v->cursor >= v->norder)
		v->cursor = v->norder - 1;
	if (v->cursor < 0)
		v->cursor = 0;
	if (v->cursor < v->top)
		v->top = v->cursor;
	if (v->cursor >= v->top + page)
		v->top = v->cursor - page + 1;
}

/* The selected row's call number, or -1. */
static int selected_nr(const struct tui_model *m, const struct tui_view *v)
{
	const struct tm_row *r = view_selected(m, v);
	return r && r->nr >= 0 && r->nr < SC_TABLE_SIZE ? r->nr : -1;
}

/* measured -> forward -> local -> stub -> fake -> measured */
static void whatif(struct tui_model *m, struct tui_view *v)
{
	const struct tm_row *sel = view_selected(m, v);
	if (!sel)
		return;
	struct tm_row *c = (struct tm_row *)tm_call_of(m, sel);
	if (!c)
		return;
	c->whatif = c->whatif + 1 >= POL__COUNT ? -1 : c->whatif + 1;
	snprintf(v->message, sizeof(v->message), "what-if: %s %s", c->name,
		 c->whatif < 0 ? "as measured" : policy_action_name(c->whatif));
	tm_project(m);
}

static void reset(struct tui_model *m)
{
	for (int i = 0; i < m->nrows; i++)
		m->rows[i].whatif = -1;
	tm_project(m);
}

/* Filter mode: printable keys edit, Enter applies, Esc cancels. */
static void edit_filter(struct tui_view *v, int key)
{
	size_t n = strlen(v->edit);
	if (key == TK_ENTER) {
		snprintf(v->filter, sizeof(v->filter), "%s", v->edit);
		v->mode = v->back;
		v->cursor = v->top = 0;
	} else if (key == TK_ESC) {
		v->mode = v->back;
	} else if (key == TK_BACKSPACE || key == 127) {
		if (n)
			v->edit[n - 1] = 0;
	} else if (key < 128 && isprint(key) && n + 1 < sizeof(v->edit)) {
		v->edit[n] = (char)key;
		v->edit[n + 1] = 0;
	}
}

static void detail(const struct tui_model *m, struct tui_view *v)
{
	int nr = selected_nr(m, v);
	if (nr < 0)
		return;
	v->detail_nr = nr;
	v->sites[0] = 0; /* the front end finds them (static analysis) */
	v->mode = TM_DETAIL;
}

static void expand(const struct tui_model *m, struct tui_view *v, bool open)
{
	int nr = selected_nr(m, v);
	if (nr < 0)
		return;
	v->expanded[nr] = open;
	/* Collapsing from a child row puts the cursor on its call. */
	for (; !open && v->cursor > 0 && view_selected(m, v)->kind != TK_CALL; v->cursor--)
		;
}

static void model_key(struct tui_model *m, struct tui_view *v, enum tui_action a)
{
	struct tm_proj *p = &m->proj;
	if (a == A_GAMMA_UP && p->gamma < 1e6)
		p->gamma *= 2;
	else if (a == A_GAMMA_DOWN && p->gamma > 1)
		p->gamma = p->gamma / 2 < 1 ? 1 : p->gamma / 2;
	else if (a == A_FC_UP && p->fc_ns < 1e10)
		p->fc_ns *= 10;
	else if (a == A_FC_DOWN && p->fc_ns > 1)
		p->fc_ns /= 10;
	else if (a == A_SCHEME)
		p->scheme = (p->scheme + 1) % tm_nschemes;
	else if (a == A_WHATIF)
		return whatif(m, v);
	else if (a == A_RESET)
		return reset(m);
	tm_project(m);
}

static void table_key(struct tui_model *m, struct tui_view *v, enum tui_action a)
{
	switch (a) {
	case A_UP: move(v, -1); break;
	case A_DOWN: move(v, 1); break;
	case A_PGUP: move(v, -v->page); break;
	case A_PGDN: move(v, v->page); break;
	case A_TOP: move(v, -v->norder); break;
	case A_BOTTOM: move(v, v->norder); break;
	case A_DETAIL: detail(m, v); break;
	case A_BACK: v->mode = TM_MAIN; break;
	case A_EXPAND: expand(m, v, true); break;
	case A_COLLAPSE: expand(m, v, false); break;
	case A_SORT: v->sort = (v->sort + 1) % TC__COUNT, v->desc = v->sort != TC_NAME && v->sort != TC_NR; break;
	case A_SORT_REVERSE: v->desc = !v->desc; break;
	case A_FILTER:
		v->back = v->mode;
		v->mode = TM_FILTER;
		snprintf(v->edit, sizeof(v->edit), "%s", v->filter);
		break;
	case A_HELP: v->back = v->mode, v->mode = TM_HELP; break;
	case A_NONE: break;
	default: model_key(m, v, a); break;
	}
}

bool tui_key(struct tui_model *m, struct tui_view *v, int key)
{
	v->message[0] = 0;
	if (v->mode == TM_FILTER) {
		edit_filter(v, key);
	} else if (v->mode == TM_HELP) {
		v->mode = v->back == TM_HELP ? TM_MAIN : v->back;
	} else {
		enum tui_action a = tui_key_action(key);
		if (a == A_QUIT)
			return false;
		table_key(m, v, a);
	}
	view_update(m, v);
	move(v, 0);
	return true;
}
