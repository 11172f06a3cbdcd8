/* The few library functions the freestanding core and monitor use.  In a
 * hosted build memcpy and friends are libc's; the monitor links its own
 * (monitor/rt.c).  Nothing here sets errno or uses thread-local storage. */
#ifndef HL_CORE_LIB_H
#define HL_CORE_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
size_t strlen(const char *s);

size_t hl_strnlen(const char *s, size_t max);

/* Copies src into dst (size bytes, NUL included, truncated): its length. */
size_t hl_strlcpy(char *dst, const char *src, size_t size);

/* v in decimal into buf (at least 21 bytes): the digits' length. */
size_t hl_utoa(char *buf, uint64_t v);

/* The whole text (leading blanks allowed) is one finite decimal number:
 * `-3`, `1234.5`, `1e6`. */
bool hl_parse_double(const char *s, double *v);

#endif
