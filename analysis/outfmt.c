/* Output formats and quoting (outfmt.h). */
#include "analysis/outfmt.h"

#include <errno.h>
#include <math.h>
#include <string.h>

static const char *const format_names[OUT__COUNT] = {"text", "csv", "json", "md"};

int out_format_parse(const char *name)
{
	for (int i = 0; i < OUT__COUNT; i++)
		if (!strcmp(name, format_names[i]))
			return i;
	return -1;
}

static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (len == 0 || s[0] >= 0xf5 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and numbers past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) || (s[0] == 0xf0 && s[1] < 0x90) ||
	    (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

size_t out_put_utf8(FILE *f, const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : utf8_len(s, n);
	if (len)
		fwrite(s, 1, len, f);
	return len;
}

void out_json_strn(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	fputc('"', f);
	for (size_t i = 0, len; i < n && s[i]; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fprintf(f, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] == 0x7f)
			fprintf(f, "\\u%04x", s[i]);
		else if ((len = out_put_utf8(f, s + i, n - i)) != 0)
			i += len - 1;
		else
			fprintf(f, "\\u%04x", s[i]);
	}
	fputc('"', f);
}

void out_json_str(FILE *f, const char *s)
{
	s = s ? s : "";
	out_json_strn(f, s, strlen(s));
}

void out_csv_str(FILE *f, const char *s)
{
	s = s ? s : "";
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void out_md_str(FILE *f, const char *s)
{
	for (s = s ? s : ""; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' || *s == '<')
			fputc('\\', f);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
	}
}

int out_finish(FILE *f)
{
	if (fflush(f) || ferror(f)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

void out_json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.10g", v);
	else
		fputs("null", f);
}
