/* Decimal text to double (lib.h): the one part of the core that uses
 * floating point, kept apart so that the monitor can build the rest
 * without touching the program's SSE registers (monitor/CMakeLists.txt). */
#include "core/lib.h"

/* Digits into *m (the first 19 that matter), the rest into *scale. */
static const char *digits(const char *s, uint64_t *m, int *scale, int *count, bool fraction)
{
	for (; *s >= '0' && *s <= '9'; s++, (*count)++) {
		if (*m < 100000000000000000ull)
			*m = *m * 10 + (uint64_t)(*s - '0'), *scale -= fraction;
		else
			*scale += !fraction;
	}
	return s;
}

static double pow10u(unsigned e)
{
	double r = 1, b = 10;
	for (; e; e >>= 1, b *= b)
		if (e & 1)
			r *= b;
	return r;
}

bool hl_parse_double(const char *s, double *v)
{
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	bool neg = *s == '-';
	s += *s == '-' || *s == '+';
	uint64_t m = 0;
	int scale = 0, count = 0, e = 0;
	s = digits(s, &m, &scale, &count, false);
	if (*s == '.')
		s = digits(s + 1, &m, &scale, &count, true);
	if (!count)
		return false;
	if (*s == 'e' || *s == 'E') {
		bool eneg = s[1] == '-';
		const char *p = s + 1 + (s[1] == '-' || s[1] == '+');
		if (*p < '0' || *p > '9')
			return false;
		for (; *p >= '0' && *p <= '9'; p++)
			e = e < 100000 ? e * 10 + (*p - '0') : e;
		e = eneg ? -e : e, s = p;
	}
	if (*s)
		return false;
	int x = scale + e;
	/* Dividing by an exact power of ten rounds once, as strtod does for
	 * the short numbers metrics are. */
	double r = x < 0 ? (double)m / pow10u((unsigned)-x) : (double)m * pow10u((unsigned)x);
	*v = neg ? -r : r;
	return r - r == 0; /* finite */
}
