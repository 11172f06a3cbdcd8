/* Where the TUI's rows come from: a live run (its shared statistics, by
 * the pid of its first process), a finished run's --stats file, or an
 * explore campaign in the results database (classifications, progress,
 * and the baseline run's profile). */
#ifndef HL_TUI_SOURCE_H
#define HL_TUI_SOURCE_H

#include "tui/model.h"

#include <stddef.h>

struct tui_source;

struct tui_source *src_live(int pid, char *err, size_t errlen);
struct tui_source *src_json(const char *path, char *err, size_t errlen);
struct tui_source *src_db(const char *path, const char *workload, char *err, size_t errlen);

/* Fills the model afresh (tm_begin ... tm_end).  0, or -1 with err. */
int src_refresh(struct tui_source *s, struct tui_model *m, char *err, size_t errlen);

/* Whether refreshing can change anything (a live run or a campaign). */
bool src_changes(const struct tui_source *s);

void src_close(struct tui_source *s);

/* Fills rows and totals from a run's statistics (JSON version 3), as the
 * JSON and database sources do.  0 or -1. */
int src_parse_stats(const char *json, struct tui_model *m, char *err, size_t errlen);

#endif
