/* Watch a run or a campaign in the TUI (README "TUI"); the `hyperloupe
 * tui` command is cli/tui_cmd.c. */
#ifndef HL_TUI_H
#define HL_TUI_H

#include <sys/types.h>

/* The front ends `run --tui` and `explore --tui` use: the TUI on the run
 * whose first process is pid (waiting for its statistics to appear), or
 * on the campaign of workload in the database at db.  When the user quits
 * while child still runs, child gets SIGTERM (a run) or SIGINT (a
 * campaign, which then keeps what it finished).  Returns child's exit
 * status. */
int tui_watch_run(pid_t child);
int tui_watch_campaign(pid_t child, const char *db, const char *workload);

#endif
