/* The curses front end (term.c). */
#ifndef HL_TUI_TERM_H
#define HL_TUI_TERM_H

#include "tui/app.h"

/* Runs the session on the terminal until the user quits (or SIGINT,
 * SIGTERM, SIGHUP), re-reading the source every interval_s; the terminal
 * is restored on every way out.  0, or -1 when there is no terminal
 * (a.err says why). */
int term_run(struct tui_app *a, double interval_s);

#endif
