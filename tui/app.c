/* A TUI session (app.h). */
#include "tui/app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int app_init(struct tui_app *a, struct tui_source *src, int w, int h)
{
	memset(a, 0, sizeof(*a));
	a->src = src;
	a->sites_nr = -1;
	tm_init(&a->m);
	view_init(&a->v);
	return app_resize(a, w, h) ? -1 : app_refresh(a);
}

void app_free(struct tui_app *a)
{
	if (a->st_done)
		static_result_free(&a->st);
	screen_free(&a->scr);
	view_free(&a->v);
	tm_free(&a->m);
	src_close(a->src);
	a->src = NULL;
}

int app_refresh(struct tui_app *a)
{
	int r = src_refresh(a->src, &a->m, a->err, sizeof(a->err));
	view_update(&a->m, &a->v);
	return r;
}

int app_resize(struct tui_app *a, int w, int h)
{
	if (screen_init(&a->scr, w, h))
		return -1;
	a->v.page = view_table_rows(a->scr.h);
	return 0;
}

/* "libc.so.6 3, hello 1; 12 unresolved": where the program and its
 * libraries have a syscall instruction for nr (Capstone's backward scan). */
static void find_sites(struct tui_app *a, int nr)
{
	char *buf = a->v.sites;
	size_t len = sizeof(a->v.sites), n = 0, unresolved = 0;
	if (!a->st_done)
		a->st_rc = a->m.h.exe[0] ? static_analyze(a->m.h.exe, &a->st) : -ENOENT;
	a->st_done = true;
	if (a->st_rc < 0) {
		snprintf(buf, len, "no static analysis of '%s': %s", a->m.h.exe,
			 a->st.error ? a->st.error : strerror(-a->st_rc));
		return;
	}
	for (size_t o = 0; o < a->st.nobjects; o++) {
		const struct static_object *ob = &a->st.objects[o];
		size_t k = 0;
		for (size_t i = 0; i < ob->nsites; i++)
			k += ob->sites[i].why == SW_RESOLVED && ob->sites[i].nr == nr;
		unresolved += ob->nsites - ob->nresolved;
		const char *base = strrchr(ob->name, '/') ? strrchr(ob->name, '/') + 1 : ob->name;
		if (k && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s %zu", n ? ", " : "", base, k);
	}
	if (n < len)
		snprintf(buf + n, len - n, "%s%zu unresolved sites in all", n ? "; " : "none found; ", unresolved);
}

bool app_key(struct tui_app *a, int key)
{
	bool go = tui_key(&a->m, &a->v, key);
	if (a->v.mode == TM_DETAIL && a->v.detail_nr != a->sites_nr) {
		find_sites(a, a->v.detail_nr);
		a->sites_nr = a->v.detail_nr;
	}
	return go;
}

void app_draw(struct tui_app *a)
{
	view_draw(&a->m, &a->v, &a->scr);
}

static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{"Enter", TK_ENTER}, {"Esc", TK_ESC},   {"Up", TK_UP},     {"Down", TK_DOWN}, {"Left", TK_LEFT},
	{"Right", TK_RIGHT}, {"PgUp", TK_PGUP}, {"PgDn", TK_PGDN}, {"Home", TK_HOME}, {"End", TK_END},
	{"BS", TK_BACKSPACE}, {"F1", TK_F1},   {"Tab", '\t'},     {"lt", '<'},       {"refresh", -1},
};

static int named_key(const char *tok, size_t n)
{
	unsigned w, h;
	char tail;
	for (size_t i = 0; i < sizeof(named_keys) / sizeof(named_keys[0]); i++)
		if (strlen(named_keys[i].name) == n && !strncmp(tok, named_keys[i].name, n))
			return named_keys[i].key;
	if (n > 7 && !strncmp(tok, "resize:", 7) && sscanf(tok + 7, "%ux%u%c", &w, &h, &tail) == 3 && tail == '>' &&
	    w >= 20 && w < 4096 && h >= 8 && h < 4096)
		return -(2 + (int)(w << 12 | h));
	return 0;
}

int app_parse_keys(const char *script, int *keys, int max, char *err, size_t errlen)
{
	int n = 0;
	for (const char *p = script; *p && n < max; p++) {
		if (*p != '<') {
			keys[n++] = *p == '\n' ? TK_ENTER : (unsigned char)*p;
			continue;
		}
		const char *end = strchr(p, '>');
		int k = end ? named_key(p + 1, (size_t)(end - p - 1)) : 0;
		if (!k) {
			snprintf(err, errlen, "bad key '%.20s' (<Enter>, <Down>, <resize:WxH>, <lt> for '<'...)", p);
			return -1;
		}
		keys[n++] = k;
		p = end;
	}
	return n;
}
