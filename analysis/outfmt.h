/* The output formats `plan` and `report` share (text, CSV, JSON,
 * Markdown), and the quoting each needs: names in the results database
 * come from the guest (pseudo-file paths), so they may hold anything. */
#ifndef HL_OUTFMT_H
#define HL_OUTFMT_H

#include <stddef.h>
#include <stdio.h>

enum out_format { OUT_TEXT, OUT_CSV, OUT_JSON, OUT_MD, OUT__COUNT };

/* The format of that name, or -1. */
int out_format_parse(const char *name);
const char *out_format_name(enum out_format f);

/* s as a JSON string (quotes included); bytes that are not UTF-8 become
 * \u00XX, so the output always parses. */
void out_json_str(FILE *f, const char *s);

/* s as one CSV field (RFC 4180): quoted when it holds a comma, quote or
 * line break. */
void out_csv_str(FILE *f, const char *s);

/* s in a Markdown table cell: '|' and line breaks would end the cell. */
void out_md_str(FILE *f, const char *s);

/* Length of the valid UTF-8 sequence at s (NUL-terminated), 0 if there is
 * none: JSON readers and XML parsers reject invalid UTF-8. */
size_t out_utf8_len(const unsigned char *s);

/* A number for JSON: null when it is NaN or infinite. */
void out_json_num(FILE *f, double v);

#endif
