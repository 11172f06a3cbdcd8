/* Keys and actions: one table maps each key to an action, and the help
 * screen is that table.  tui_act() changes the view state (and the
 * model's what-if settings) and knows nothing of curses, so that a test
 * drives it with scripted keys. */
#ifndef HL_TUI_KEYS_H
#define HL_TUI_KEYS_H

#include "tui/model.h"
#include "tui/view.h"

/* Keys beyond ASCII, as the curses front end and the headless scripts
 * deliver them (the values of the curses KEY_* constants are not used so
 * that this stays free of curses). */
enum {
	TK_UP = 0x1000, TK_DOWN, TK_LEFT, TK_RIGHT, TK_PGUP, TK_PGDN, TK_HOME, TK_END,
	TK_ENTER, TK_ESC, TK_BACKSPACE, TK_F1,
};

enum tui_action {
	A_NONE, A_QUIT, A_HELP, A_UP, A_DOWN, A_PGUP, A_PGDN, A_TOP, A_BOTTOM,
	A_DETAIL, A_BACK, A_EXPAND, A_COLLAPSE, A_SORT, A_SORT_REVERSE, A_FILTER,
	A_GAMMA_UP, A_GAMMA_DOWN, A_FC_UP, A_FC_DOWN, A_SCHEME, A_WHATIF, A_RESET,
	A__COUNT
};

struct tui_key {
	int key;
	enum tui_action action;
	const char *keys; /* as the help screen names them (first entry of an action) */
	const char *help;
};

extern const struct tui_key tui_keys[];
extern const int tui_nkeys;

enum tui_action tui_key_action(int key);

/* Applies a key: in filter mode it edits the filter; otherwise its
 * action.  Returns false when the key quits. */
bool tui_key(struct tui_model *m, struct tui_view *v, int key);

#endif
