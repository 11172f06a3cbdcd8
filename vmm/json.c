/* JSON strings (json.h). */
#include "vmm/json.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if there
 * is none: JSON readers reject invalid UTF-8, and a guest's argv may be
 * any bytes. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	if (len == 0 || s[0] >= 0xf5 || s[0] == 0xc0 || s[0] == 0xc1 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and numbers past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

void json_strn(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	fputc('"', f);
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = s[i];
		size_t len;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else if (c < 0x80)
			fputc(c, f);
		else if ((len = utf8_len(s + i, n - i)) != 0) {
			fwrite(s + i, 1, len, f);
			i += len - 1;
		} else
			fprintf(f, "\\u%04x", c);
	}
	fputc('"', f);
}

void json_str(FILE *f, const char *s)
{
	json_strn(f, s, strlen(s));
}
