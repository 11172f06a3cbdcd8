/* The TUI's view: the state of what is shown (mode, cursor, sorting,
 * filter, expanded calls) and the drawing of a screen of text cells with
 * attributes.  The curses front end copies cells to the terminal; the
 * headless mode prints them, so tests compare screens as text. */
#ifndef HL_TUI_VIEW_H
#define HL_TUI_VIEW_H

#include "tui/model.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum tui_attr {
	TA_NORMAL, TA_TITLE, TA_HEADER, TA_SELECTED, TA_DIM,
	TA_REQUIRED, TA_STUB, TA_FAKE, TA_BOTH, TA_FLAKY, TA_RUNNING, TA_PENDING,
	TA__COUNT
};

struct screen {
	int w, h;
	char *text;    /* w * h cells, ASCII */
	uint8_t *attr; /* enum tui_attr per cell */
};

enum tui_mode { TM_MAIN, TM_DETAIL, TM_HELP, TM_FILTER };

struct tui_view {
	enum tui_mode mode, back; /* back: the mode help or filter returns to */
	int cursor, top;          /* in the display order */
	enum tm_col sort;
	bool desc;
	char filter[64], edit[64];
	bool expanded[SC_TABLE_SIZE];
	char message[160];        /* a one-off note on the status line */
	char sites[512];          /* the detail view's call sites, by library */
	int *order, norder, cap;  /* the rows in display order (view_update) */
	int detail_nr;            /* the call the detail view shows */
	int page;                 /* table rows on the screen (view_table_rows) */
};

int screen_init(struct screen *s, int w, int h);
void screen_free(struct screen *s);

void view_init(struct tui_view *v);
void view_free(struct tui_view *v);

/* Recomputes the display order and keeps the cursor on a row. */
void view_update(const struct tui_model *m, struct tui_view *v);

/* The selected row, or NULL. */
const struct tm_row *view_selected(const struct tui_model *m, const struct tui_view *v);

/* Rows of the table on a screen that tall. */
int view_table_rows(int h);

void view_draw(const struct tui_model *m, const struct tui_view *v, struct screen *s);

/* The screen as text: each line with its trailing spaces trimmed. */
void screen_print(const struct screen *s, FILE *f);

#endif
