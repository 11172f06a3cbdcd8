/* The sud engine's launcher (sud.h): the decision table and the run's
 * statistics go to hl-monitor as two fds above the program's range; the
 * program runs in a child, this process reports. */
#include "cli/sud.h"
#include "analysis/runstats.h"
#include "vmm/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const char *sud_monitor_path(void)
{
	static char path[PATH_MAX + 64];
	const char *env = getenv("HL_MONITOR");
	if (env && *env)
		return access(env, X_OK) ? NULL : env;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = 0;
	*strrchr(self, '/') = 0;
	static const char *const rel[] = {"/hl-monitor", "/../libexec/hyperloupe/hl-monitor"};
	for (size_t i = 0; i < ARRAY_SIZE(rel); i++) {
		snprintf(path, sizeof(path), "%s%s", self, rel[i]);
		if (!access(path, X_OK))
			return path;
	}
	return NULL;
}

bool sud_available(void)
{
	/* PR_SET_SYSCALL_USER_DISPATCH with PR_SYS_DISPATCH_OFF: EINVAL
	 * where the kernel lacks it, 0 where it has it. */
	return sud_monitor_path() && prctl(59, 0, 0, 0, 0) == 0;
}

/* fd moved above the soft RLIMIT_NOFILE, where the program's own fds
 * never go, and kept across execve (the monitor re-executes itself). */
static int hide_fd(int fd)
{
	struct rlimit rl, raised;
	getrlimit(RLIMIT_NOFILE, &rl);
	raised = rl;
	rlim_t base = rl.rlim_cur;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= rl.rlim_cur + 16)
		raised.rlim_cur = rl.rlim_cur + 16;
	else
		base = rl.rlim_cur > 64 ? rl.rlim_cur - 16 : 3;
	setrlimit(RLIMIT_NOFILE, &raised);
	int nfd = fcntl(fd, F_DUPFD, (int)base);
	setrlimit(RLIMIT_NOFILE, &rl);
	if (nfd < 0)
		hl_fail(HL_EXIT_INTERNAL, "cannot move a monitor file descriptor: %s", strerror(errno));
	close(fd);
	return nfd;
}

static int table_fd(const struct policy *p)
{
	int fd = memfd_create("hyperloupe-table", 0);
	if (fd < 0 || write(fd, p->table, p->table->size) != (ssize_t)p->table->size)
		hl_fail(HL_EXIT_INTERNAL, "cannot pass the policy to the monitor: %s", strerror(errno));
	return hide_fd(fd);
}

static struct run_stats *make_run(const struct sud_run *r, int *fd)
{
	struct run_stats *run = stats_run_create(fd);
	if (!run) {
		hl_err("cannot create the run's statistics: %s", strerror(errno));
		return NULL;
	}
	snprintf(run->engine, sizeof(run->engine), "sud");
	if (r->phase)
		stats_run_set_phase(run, r->phase);
	run->delay_req_ns = r->policy->delay_ns;
	for (int k = 0; k < r->nonly && k < STATS_ONLY_MAX; k++) {
		snprintf(run->only[k], STATS_ONLY_LEN, "%s", r->only[k]);
		run->nonly = (uint32_t)k + 1;
	}
	*fd = hide_fd(*fd);
	if (r->live_stats)
		hl_err("live statistics: /dev/shm/hyperloupe-%d (hyperloupe live %d)", run->root_pid, run->root_pid);
	return run;
}

/* The command the monitor runs when the first process ends, to write
 * the report: this `run` again, with the statistics inherited and the
 * status where the "-" is (monitor/report.c).  NUL-separated, in a memfd. */
static int report_fd(const struct sud_run *r, int sfd)
{
	char self[PATH_MAX], fd[16], stats[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	snprintf(fd, sizeof(fd), "%d", sfd);
	FILE *f = tmpfile();
	if (!f)
		hl_fail(HL_EXIT_INTERNAL, "cannot prepare the report: %s", strerror(errno));
	fprintf(f, "%s%crun%c--stats-fd%c%s%c--sud-report%c-%c", self, 0, 0, 0, fd, 0, 0, 0);
	/* The program may chdir: a relative --stats names the launch's cwd. */
	if (r->stats_path && realpath(".", stats) && r->stats_path[0] != '/')
		fprintf(f, "--stats%c%s/%s%c", 0, stats, r->stats_path, 0);
	else if (r->stats_path)
		fprintf(f, "--stats%c%s%c", 0, r->stats_path, 0);
	if (r->summary)
		fprintf(f, "-c%c", 0);
	for (int i = 0; i < r->nonly; i++)
		fprintf(f, "--only%c%s%c", 0, r->only[i], 0);
	for (int i = 0; i < r->npolicy_args; i++)
		fprintf(f, "%s%c", r->policy_args[i], 0);
	fprintf(f, "--%c", 0);
	for (int i = 0; i < r->argc; i++)
		fprintf(f, "%s%c", r->argv[i], 0);
	if (fflush(f))
		hl_fail(HL_EXIT_INTERNAL, "cannot prepare the report: %s", strerror(errno));
	int rfd = dup(fileno(f));
	fclose(f);
	return hide_fd(rfd);
}

/* The rewriting forms the monitor may use (monitor/rewrite.h): none with
 * --no-rewrite; the jump forms by default; $HL_SUD_REWRITE=zpoline or all
 * adds zpoline, which maps page 0 and so changes what a NULL pointer
 * does (docs/sud.md). */
static const char *rewrite_forms(const struct sud_run *r)
{
	static const char *const names[][2] = {{"all", "3"}, {"jump", "1"}, {"zpoline", "2"}, {"none", "0"}};
	const char *want = getenv("HL_SUD_REWRITE");
	if (r->no_rewrite)
		return "0";
	if (!want || !*want)
		return "1";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(want, names[i][0]))
			return names[i][1];
	hl_fail(2, "HL_SUD_REWRITE=%s: expected all, jump, zpoline or none", want);
}

static void exec_monitor(const struct sud_run *r, const char *file, int tfd, int sfd, int rfd)
{
	const char *mon = sud_monitor_path();
	char **v = calloc((size_t)r->argc + 2 * (size_t)r->nonly + 16, sizeof(char *));
	char t[16], s[16], rep[16];
	snprintf(t, sizeof(t), "%d", tfd);
	snprintf(s, sizeof(s), "%d", sfd);
	snprintf(rep, sizeof(rep), "%d", rfd);
	int n = 0;
	v[n++] = (char *)mon, v[n++] = "-t", v[n++] = t, v[n++] = "-s", v[n++] = s, v[n++] = "-r";
	v[n++] = rep, v[n++] = "-m", v[n++] = (char *)mon;
	if (r->no_vdso)
		v[n++] = "-V", v[n++] = "1";
	v[n++] = "-w", v[n++] = (char *)rewrite_forms(r);
	for (int i = 0; i < r->nonly; i++)
		v[n++] = "-o", v[n++] = (char *)r->only[i];
	v[n++] = "--", v[n++] = (char *)file;
	for (int i = 0; i < r->argc; i++)
		v[n++] = r->argv[i];
	fflush(NULL);
	execve(mon, v, environ);
	hl_fail(HL_EXIT_INTERNAL, "%s: %s", mon, strerror(errno));
}

static void report(const struct sud_run *r, struct run_stats *run, int status, int sig)
{
	stats_run_unpublish(run);
	if (!r->stats_path && !r->summary)
		return;
	struct stats_filter f = {r->only, r->nonly};
	struct run_info ri = {.policy = r->policy, .program = r->program, .argc = r->argc, .argv = r->argv,
			      .exit_status = status, .term_signal = sig};
	stats_report(run, &f, &ri, r->stats_path, r->summary);
}

int sud_run(const struct sud_run *r)
{
	char buf[PATH_MAX];
	const char *file = hl_path_search(r->program, buf, sizeof(buf));
	if (!file) {
		hl_err("%s: command not found", r->program);
		return HL_EXIT_NOTFOUND;
	}
	if (!sud_monitor_path())
		hl_fail(HL_EXIT_INTERNAL, "hl-monitor not found beside hyperloupe (set HL_MONITOR)");
	int sfd = -1, tfd = table_fd(r->policy);
	struct run_stats *run = make_run(r, &sfd);
	int rfd = run ? report_fd(r, sfd) : -1;
	exec_monitor(r, file, tfd, run ? sfd : -1, rfd);
	return HL_EXIT_INTERNAL;
}

int sud_report(const struct sud_run *r, int stats_fd, const char *status)
{
	int code = 0, sig = 0;
	struct run_stats *run = stats_run_attach(stats_fd);
	if (!run || sscanf(status, "%d:%d", &code, &sig) != 2)
		hl_fail(HL_EXIT_INTERNAL, "cannot read the run's statistics for its report");
	report(r, run, code, sig);
	return 0;
}
