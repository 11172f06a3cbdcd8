/* Freestanding string and number helpers (lib.h). */
#include "core/lib.h"

size_t hl_strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

size_t hl_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = hl_strnlen(src, size ? size - 1 : 0);
	if (size) {
		memcpy(dst, src, n);
		dst[n] = 0;
	}
	return n;
}

size_t hl_utoa(char *buf, uint64_t v)
{
	char tmp[21];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return n;
}
