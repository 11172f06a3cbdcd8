/* The `hyperloupe` commands that have no header of their own. */
#ifndef HL_CLI_H
#define HL_CLI_H

int cmd_tui(int argc, char **argv); /* tui_cmd.c */

#endif
