/* Test jobs (testrun.h). */
#include "cli/testrun.h"

#include "analysis/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void exec_test(const char *script, const char *hl_run, int out_fd, int err_fd)
{
	int null = open("/dev/null", O_RDONLY);
	setpgid(0, 0);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(126);
	setenv("HL_RUN", hl_run, 1);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	execl(script, script, (char *)NULL);
	dprintf(2, "hyperloupe: cannot run %s: %s\n", script, strerror(errno));
	_exit(126);
}

int testjob_start(struct test_job *j, const char *script, const char *hl_run, int timeout_s, int out_fd,
		  int err_fd)
{
	memset(j, 0, sizeof(*j));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		exec_test(script, hl_run, out_fd, err_fd);
	/* Both sides set the group: whichever runs first, a kill finds it. */
	setpgid(pid, pid);
	j->pid = pid;
	j->start_ns = now_ns();
	j->deadline_ns = j->start_ns + (uint64_t)timeout_s * 1000000000ull;
	return 0;
}

static void reaped(struct test_job *j, int status)
{
	/* Whatever is left in its group (a server it started) goes too. */
	kill(-j->pid, SIGKILL);
	j->pid = 0;
	j->secs = (double)(now_ns() - j->start_ns) / 1e9;
	j->status = hl_exit_code(status);
}

bool testjob_poll(struct test_job *j, bool stop)
{
	int status = 0;
	if (!j->pid)
		return true;
	pid_t r = waitpid(j->pid, &status, WNOHANG);
	if (r == j->pid || (r < 0 && errno == ECHILD)) {
		reaped(j, status);
		return true;
	}
	uint64_t t = now_ns();
	if (!j->kill_at_ns && (t >= j->deadline_ns || stop)) {
		j->timed_out = !stop;
		j->stopped = stop;
		kill(-j->pid, SIGTERM);
		j->kill_at_ns = t + TEST_TERM_GRACE_NS;
	} else if (j->kill_at_ns && t >= j->kill_at_ns) {
		kill(-j->pid, SIGKILL);
		j->kill_at_ns = UINT64_MAX;
	}
	return false;
}

void testjob_wait(struct test_job *j, volatile sig_atomic_t *stop)
{
	while (!testjob_poll(j, stop && *stop))
		nanosleep(&(struct timespec){0, 10000000}, NULL);
}

void test_read_metric(FILE *f, char *metric, size_t size)
{
	char line[512], last[512] = "";
	metric[0] = 0;
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (line[0])
			strcpy(last, line);
	}
	char *end;
	errno = 0;
	(void)strtod(last, &end);
	if (last[0] && !*end && !errno && strlen(last) < size)
		strcpy(metric, last);
}

/* Appends WORD to BUF, single-quoted when sh would otherwise split it. */
void test_sh_word(char *buf, size_t size, const char *word)
{
	size_t n = strlen(buf);
	bool plain = *word && strspn(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=,+-") ==
					      strlen(word);
	n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? " " : "", plain ? word : "'");
	for (const char *c = word; !plain && *c && n < size; c++)
		n += (size_t)snprintf(buf + n, size - n, "%s", *c == '\'' ? "'\\''" : (char[]){*c, 0});
	if (!plain && n < size)
		snprintf(buf + n, size - n, "'");
}

/* HL_BUILD for the hello workloads' binaries: this hyperloupe's own build
 * tree, when it sits at the top of one (it does in a CMake build). */
void test_default_hl_build(const char *self)
{
	char dir[PATH_MAX], guests[PATH_MAX + 16];
	struct stat st;
	snprintf(dir, sizeof(dir), "%s", self);
	char *slash = strrchr(dir, '/');
	if (getenv("HL_BUILD") || !slash)
		return;
	*slash = 0;
	snprintf(guests, sizeof(guests), "%s/tests/guest", dir);
	if (stat(guests, &st) == 0 && S_ISDIR(st.st_mode))
		setenv("HL_BUILD", dir, 1);
}
