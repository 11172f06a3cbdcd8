/* The VMM's own helpers: pages, raw host system calls.  The hosted
 * helpers it shares with the rest (errors, exit statuses, the error
 * convention, the clock) are in analysis/util.h. */
#ifndef HL_UTIL_H
#define HL_UTIL_H

#include "analysis/util.h"

#include "core/sys.h"

#include <stdint.h>

#define PAGE_SIZE 4096ul
#define PAGE_DOWN(x) ((uint64_t)(x) & ~(PAGE_SIZE - 1))
#define PAGE_UP(x) (((uint64_t)(x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

/* A host system call that returns the raw kernel result (-errno on
 * failure) instead of going through libc's errno, and that libc cannot
 * reinterpret (no cancellation points, no wrappers): core/sys.h's. */
#define host_syscall6 hl_sys6

static inline int is_err(long r)
{
	return r < 0 && r > -4096;
}

#endif
