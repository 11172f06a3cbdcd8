/* What the core needs from the engine it runs in: a raw system call (the
 * result is -errno on failure; nothing touches errno) and a monotonic
 * clock.  The hosted build (core/hosted.c) issues them directly; the sud
 * engine's monitor issues them from its allowed region, so that they do
 * not trap into itself. */
#ifndef HL_CORE_SYS_H
#define HL_CORE_SYS_H

#include <stdint.h>

long hl_sys6(long nr, long a, long b, long c, long d, long e, long f);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t hl_now_ns(void);

#endif
