/* The curses front end: the app's screen copied to the terminal, keys
 * from the terminal mapped to the TUI's (keys.h). */
#include "tui/term.h"

#include <curses.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_sig;
static bool active;

static void end_terminal(void)
{
	if (active) {
		endwin();
		active = false;
	}
}

static void on_stop(int sig)
{
	stop_sig = sig;
}

/* A crash still gives the terminal back before the default action. */
static void on_crash(int sig)
{
	end_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void colours(void)
{
	static const short fg[TA__COUNT] = {-1, COLOR_BLACK, COLOR_BLACK, COLOR_BLACK, -1, COLOR_RED, COLOR_GREEN,
					    COLOR_CYAN, COLOR_GREEN, COLOR_YELLOW, COLOR_MAGENTA, COLOR_BLUE};
	static const short bg[TA__COUNT] = {-1, COLOR_CYAN, COLOR_WHITE, COLOR_YELLOW, -1, -1, -1, -1, -1, -1, -1, -1};
	start_color();
	use_default_colors();
	for (int a = 1; a < TA__COUNT; a++)
		init_pair((short)a, fg[a], bg[a]);
}

static bool use_colour(void)
{
	const char *nc = getenv("NO_COLOR");
	return has_colors() && !(nc && *nc);
}

/* Without colours, attributes still tell header and selection apart. */
static attr_t attr_of(int a, bool colour)
{
	static const attr_t plain[TA__COUNT] = {A_NORMAL, A_REVERSE, A_REVERSE, A_REVERSE | A_BOLD, A_DIM,
						A_BOLD,   A_NORMAL,  A_NORMAL,  A_NORMAL,            A_UNDERLINE,
						A_BOLD,   A_DIM};
	if (!colour || a <= 0 || a >= TA__COUNT)
		return a > 0 && a < TA__COUNT ? plain[a] : A_NORMAL;
	return COLOR_PAIR(a) | (a == TA_SELECTED || a == TA_BOTH || a == TA_REQUIRED ? A_BOLD : A_NORMAL);
}

static void blit(const struct screen *s, bool colour)
{
	for (int y = 0; y < s->h && y < LINES; y++) {
		move(y, 0);
		for (int x = 0; x < s->w && x < COLS; x++) {
			if (y == LINES - 1 && x == COLS - 1)
				break; /* the last cell would scroll */
			addch((chtype)(unsigned char)s->text[y * s->w + x] | attr_of(s->attr[y * s->w + x], colour));
		}
	}
	refresh();
}

static int map_key(int ch)
{
	switch (ch) {
	case KEY_UP: return TK_UP;
	case KEY_DOWN: return TK_DOWN;
	case KEY_LEFT: return TK_LEFT;
	case KEY_RIGHT: return TK_RIGHT;
	case KEY_PPAGE: return TK_PGUP;
	case KEY_NPAGE: return TK_PGDN;
	case KEY_HOME: return TK_HOME;
	case KEY_END: return TK_END;
	case KEY_ENTER:
	case '\n':
	case '\r': return TK_ENTER;
	case 27: return TK_ESC;
	case KEY_BACKSPACE:
	case 127:
	case 8: return TK_BACKSPACE;
	case KEY_F(1): return TK_F1;
	default: return ch;
	}
}

/* Sets *colour: whether to use colours. */
static int start_terminal(struct tui_app *a, bool *colour)
{
	if (!isatty(0) || !isatty(1) || !getenv("TERM")) {
		snprintf(a->err, sizeof(a->err), "the TUI needs a terminal (or --headless)");
		return -1;
	}
	atexit(end_terminal);
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGHUP, on_stop);
	signal(SIGSEGV, on_crash);
	signal(SIGABRT, on_crash);
	signal(SIGBUS, on_crash);
	if (!initscr()) {
		snprintf(a->err, sizeof(a->err), "cannot set up the terminal");
		return -1;
	}
	active = true;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	*colour = use_colour();
	if (*colour)
		colours();
	return 0;
}

int term_run(struct tui_app *a, double interval_s)
{
	bool colour;
	if (start_terminal(a, &colour))
		return -1;
	uint64_t period = (uint64_t)(interval_s * 1000);
	timeout((int)(period < 50 ? 50 : period));
	for (;;) {
		if (a->scr.w != COLS || a->scr.h != LINES)
			app_resize(a, COLS, LINES);
		app_draw(a);
		blit(&a->scr, colour);
		int ch = getch();
		if (stop_sig)
			break;
		if (ch == ERR) {
			if (src_changes(a->src))
				app_refresh(a);
		} else if (ch == KEY_RESIZE) {
			continue; /* the size check above resizes, and it is no key */
		} else if (!app_key(a, map_key(ch))) {
			break;
		}
	}
	end_terminal();
	return 0;
}
