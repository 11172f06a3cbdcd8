/* The `hyperloupe` commands: main.c holds the table of commands and the
 * usage text; each command is in a file of its own, declared in its own
 * header or, for those that have none, here. */
#ifndef HL_CLI_H
#define HL_CLI_H

#include <stdio.h>

/* The usage text: every command's lines, from main.c's table. */
void cli_usage(FILE *out);

int cmd_run(int argc, char **argv);        /* run.c */
int cmd_exit_floor(int argc, char **argv); /* run.c */
int cmd_tui(int argc, char **argv);        /* tui_cmd.c */

#endif
