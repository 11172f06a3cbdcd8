/* The hosted helpers every part of hyperloupe shares (the engines, the TUI,
 * the commands): one-line errors, exit statuses, reading a whole file, wait
 * statuses, the monotonic clock.
 *
 * Error convention: functions return 0 or a positive value on success and a
 * negative errno on failure; die() is for what the VMM cannot recover from,
 * and it never runs because of something the guest did. */
#ifndef HL_ANALYSIS_UTIL_H
#define HL_ANALYSIS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Exit statuses, as shells use them. */
#define HL_EXIT_INTERNAL 125 /* hyperloupe itself failed */
#define HL_EXIT_NOEXEC 126   /* program found but cannot be run */
#define HL_EXIT_NOTFOUND 127 /* program not found */

#define HL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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

/* A program named without a '/' looked up in PATH as execvp() does (the
 * first executable regular file), into buf; name itself when it has a '/',
 * NULL when nothing is found. */
const char *hl_path_search(const char *name, char *buf, size_t len);

#endif
