/* One TUI session, whatever the front end: its source, model and view,
 * and the static analysis behind the detail view's call sites. */
#ifndef HL_TUI_APP_H
#define HL_TUI_APP_H

#include "analysis/static.h"
#include "tui/keys.h"
#include "tui/model.h"
#include "tui/source.h"
#include "tui/view.h"

struct tui_app {
	struct tui_source *src;
	struct tui_model m;
	struct tui_view v;
	struct screen scr;
	struct static_result st;
	bool st_done;     /* analysed (or failed: st_rc < 0) */
	int st_rc;
	int sites_nr;     /* the call v.sites is about, -1 */
	char err[256];
};

int app_init(struct tui_app *a, struct tui_source *src, int w, int h);
void app_free(struct tui_app *a);

/* Re-reads the source; 0 or -1 (a.err). */
int app_refresh(struct tui_app *a);

/* One key; false when it quits. */
bool app_key(struct tui_app *a, int key);

int app_resize(struct tui_app *a, int w, int h);

/* Draws the current screen into a.scr. */
void app_draw(struct tui_app *a);

/* Parses a headless key script: characters, and <Enter>, <Esc>, <Up>,
 * <Down>, <Left>, <Right>, <PgUp>, <PgDn>, <Home>, <End>, <BS>, <F1>,
 * <Tab>, <lt> ('<'); <resize:WxH> and <refresh> are commands (negative:
 * -1 refresh; resize: -(2 + (w << 12 | h))).  Writes at most max keys,
 * returns how many, or -1 with the bad token in err. */
int app_parse_keys(const char *script, int *keys, int max, char *err, size_t errlen);

#endif
