/* Running a workload's test script (images/README.md) as a job: in a
 * process group of its own, stdin /dev/null, HL_RUN in its environment,
 * killed with everything it started when it overruns its timeout or the
 * caller stops it.  Shared by `images check` (one at a time) and `explore`
 * (up to -j at once, polled). */
#ifndef HL_TESTRUN_H
#define HL_TESTRUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define TEST_TERM_GRACE_NS 10000000000ull /* SIGTERM, then this long to clean up */

struct test_job {
	pid_t pid;        /* 0 once reaped */
	uint64_t start_ns, deadline_ns, kill_at_ns;
	int status;       /* exit status, or 128 + signal */
	bool timed_out;   /* killed at the deadline */
	bool stopped;     /* killed because the caller stopped it */
	double secs;      /* wall time */
};

/* Starts SCRIPT with HL_RUN=hl_run, stdout and stderr to out_fd, err_fd.
 * 0, or -errno when it could not fork. */
int testjob_start(struct test_job *j, const char *script, const char *hl_run, int timeout_s, int out_fd,
		  int err_fd);

/* Checks on the job without blocking: reaps it when it ended, sends
 * SIGTERM at the deadline (or when stop is set) and SIGKILL the grace
 * period later.  True once it is over (its group killed too). */
bool testjob_poll(struct test_job *j, bool stop);

/* Polls until the job is over; stop is checked every 10 ms. */
void testjob_wait(struct test_job *j, volatile sig_atomic_t *stop);

/* The number on the last non-empty line of F (the test's stdout), or ""
 * when that line is not a number. */
void test_read_metric(FILE *f, char *metric, size_t size);

/* Appends WORD to BUF (as a space-separated sh word list), single-quoted
 * when sh would otherwise split or expand it. */
void test_sh_word(char *buf, size_t size, const char *word);

/* Sets HL_BUILD (the build tree with the hello guests) to the directory
 * of self, this hyperloupe, when it sits at the top of one and HL_BUILD is
 * not set already. */
void test_default_hl_build(const char *self);

#endif
