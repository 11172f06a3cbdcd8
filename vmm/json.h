/* JSON output shared by the report and the agent's part of it. */
#ifndef HL_JSON_H
#define HL_JSON_H

#include <stddef.h>
#include <stdio.h>

/* At most n bytes of str (up to a NUL) as a JSON string.  Bytes that are
 * not UTF-8 are written as the \u00XX character of the same value, so the
 * output always parses whatever a guest named its program or phase. */
void json_strn(FILE *f, const char *str, size_t n);
void json_str(FILE *f, const char *str);

#endif
