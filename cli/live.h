/* `hyperloupe live`: a running run's statistics, read from its shared
 * memory while it runs (README "Live statistics"). */
#ifndef HL_LIVE_H
#define HL_LIVE_H

int cmd_live(int argc, char **argv);

/* The pid of the only run going on, or -1 (none: -ENOENT) or -2 (several). */
int live_only_run(void);

#endif
