/* The VMM's own helpers: pages, raw host system calls.  The hosted
 * helpers it shares with the rest (errors, exit statuses, the error
 * convention, the clock) are in analysis/util.h. */
#ifndef HL_UTIL_H
#define HL_UTIL_H

#include "analysis/util.h"

#include <stdint.h>

#define PAGE_SIZE 4096ul
#define PAGE_DOWN(x) ((uint64_t)(x) & ~(PAGE_SIZE - 1))
#define PAGE_UP(x) (((uint64_t)(x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

/* A host system call that returns the raw kernel result (-errno on
 * failure) instead of going through libc's errno, and that libc cannot
 * reinterpret (no cancellation points, no wrappers). */
static inline long host_syscall6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline int is_err(long r)
{
	return r < 0 && r > -4096;
}

#endif
