/* Error convention: functions return 0 or a positive value on success and a
 * negative errno on failure; die() is for what the VMM cannot recover from,
 * and it never runs because of something the guest did. */
#ifndef HL_UTIL_H
#define HL_UTIL_H

#include <stdint.h>
#include <time.h>

/* Exit statuses, as shells use them. */
#define HL_EXIT_INTERNAL 125 /* hyperloupe itself failed */
#define HL_EXIT_NOEXEC 126   /* program found but cannot be run */
#define HL_EXIT_NOTFOUND 127 /* program not found */

#define HL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE 4096ul
#define PAGE_DOWN(x) ((uint64_t)(x) & ~(PAGE_SIZE - 1))
#define PAGE_UP(x) (((uint64_t)(x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

/* One line on stderr, prefixed "hyperloupe: ". */
void hl_err(const char *fmt, ...) HL_PRINTF(1, 2);
/* hl_err() then exit with status. */
void hl_fail(int status, const char *fmt, ...) HL_PRINTF(2, 3) __attribute__((noreturn));
/* The whole file, NUL-terminated, in malloc'ed memory (free it); NULL
 * when it cannot be read. */
char *hl_read_file(const char *path);
/* A wait status as a shell reports it: the exit status, or 128 + the
 * signal that ended the process. */
int hl_exit_code(int wait_status);
/* An unrecoverable VMM error: hl_err() then exit HL_EXIT_INTERNAL. */
void die(const char *fmt, ...) HL_PRINTF(1, 2) __attribute__((noreturn));

static inline uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

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
