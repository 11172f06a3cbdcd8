/* `hyperloupe static PROGRAM`: the syscall sites of a program and of the
 * libraries ld.so would load for it (analysis/static.h), as text or JSON. */
#ifndef HL_STATIC_CMD_H
#define HL_STATIC_CMD_H

int cmd_static(int argc, char **argv);

#endif
