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

/* s (NULL: "") as a JSON string (quotes included); bytes that are not
 * UTF-8 become \u00XX, so the output always parses whatever a guest named
 * its program or phase.  out_json_strn: at most n bytes, up to a NUL. */
void out_json_str(FILE *f, const char *s);
void out_json_strn(FILE *f, const char *s, size_t n);

/* s as one CSV field (RFC 4180): quoted when it holds a comma, quote or
 * line break. */
void out_csv_str(FILE *f, const char *s);

/* s in a Markdown table cell: '|' and line breaks would end the cell. */
void out_md_str(FILE *f, const char *s);

/* Writes the character at s (at most n bytes), an ASCII byte or a valid
 * UTF-8 sequence, and returns its length; writes nothing and returns 0
 * when there is none: JSON readers and XML parsers reject invalid UTF-8.
 * The caller deals with control characters first. */
size_t out_put_utf8(FILE *f, const unsigned char *s, size_t n);

/* After writing a whole output: fflush, then 0, or -1 with errno set
 * (EIO when the stream's error flag says nothing more). */
int out_finish(FILE *f);

/* A number for JSON: null when it is NaN or infinite. */
void out_json_num(FILE *f, double v);

#endif
