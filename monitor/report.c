/* The end of a process under the monitor: its record closed with how it
 * ended, and for the run's first process the report.  The launcher left a
 * command for that (cli/sud.c): `hyperloupe run --sud-report - ...`; the
 * monitor runs it with "CODE:SIGNAL" in place of the "-" and waits, so the
 * report exists when whoever started the run sees it end.
 *
 * Signals whose default action ends the process get a monitor handler
 * while the program leaves them at SIG_DFL (it still reads SIG_DFL back):
 * the handler records and reports, then the signal ends the process as
 * natively, core dump included. */
#include "core/lib.h"
#include "monitor/mon.h"
#include "monitor/trap.h"

#include <asm/stat.h>
#include <asm/unistd_64.h>
#include <linux/errno.h>
#include <linux/mman.h>
#include <linux/signal.h>

#define SYS(nr, a, b, c, d, e, f) hl_sys6(__NR_##nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* SIG_DFL terminates: everything but SIGCHLD, SIGCONT, SIGURG, SIGWINCH
 * (ignored), the stop signals, and SIGKILL/SIGSTOP (not ours to catch);
 * SIGSYS is the monitor's own. */
#define NOT_FATAL (SIGBIT(SIGCHLD) | SIGBIT(SIGCONT) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH) | SIGBIT(SIGSTOP) | \
		   SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU) | SIGBIT(SIGKILL) | SIGBIT(SIGSYS))

static uint64_t dfl_virtual; /* the monitor's handler stands for SIG_DFL */

static char **report_argv(const char *status)
{
	struct stat st;
	if (mon.report_fd < 0 || SYS(fstat, mon.report_fd, &st, 0, 0, 0, 0) || st.st_size <= 0)
		return 0;
	long m = SYS(mmap, 0, st.st_size + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE, mon.report_fd, 0);
	long n = 0;
	if (m < 0 && m > -4096)
		return 0;
	char *blob = (char *)m;
	for (long i = 0; i < st.st_size; i++)
		n += !blob[i];
	long v = SYS(mmap, 0, (n + 1) * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v < 0 && v > -4096)
		return 0;
	char **argv = (char **)v;
	for (long i = 0, k = 0; k < n; i += (long)strlen(blob + i) + 1, k++)
		argv[k] = blob + i;
	for (long k = 1; k < n; k++)
		if (!strcmp(argv[k - 1], "--sud-report"))
			argv[k] = (char *)status;
	argv[n] = 0;
	return argv;
}

static void run_report(int status, int sig)
{
	char text[48];
	size_t k = hl_utoa(text, (uint64_t)status);
	text[k++] = ':';
	hl_utoa(text + k, (uint64_t)sig);
	char **argv = report_argv(text);
	if (!argv)
		return;
	long pid = SYS(clone, SIGCHLD, 0, 0, 0, 0, 0);
	if (pid == 0) {
		uint64_t none = 0;
		SYS(rt_sigprocmask, SIG_SETMASK, &none, 0, 8, 0, 0);
		SYS(execve, argv[0], argv, mon.envp, 0, 0, 0);
		SYS(exit_group, 127, 0, 0, 0, 0, 0);
	}
	while (pid > 0 && SYS(wait4, pid, 0, 0, 0, 0, 0) == -EINTR)
		;
}

void mon_end(int status, int sig)
{
	mon_finish(status, sig);
	if (!mon.run || mon.run->root_pid != mon.pid)
		return;
	/* The run ends now, not when the report's process has started. */
	mon.run->end_ns = hl_now_ns();
	run_report(status, sig);
}

static void on_fatal(int sig, struct ksiginfo *si, struct kucontext *uc)
{
	if (mon_own_fault(sig, si, uc))
		return;
	mon_end(128 + sig, sig);
	uint64_t dfl[4] = {0, 0, 0, 0};
	SYS(rt_sigaction, sig, dfl, 0, 8, 0, 0);
	/* A fault comes back when the instruction runs again; a sent signal
	 * is sent again, now with its default action. */
	bool fault = si->code > 0 && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
				      sig == SIGTRAP);
	if (!fault)
		SYS(tgkill, SYS(getpid, 0, 0, 0, 0, 0, 0), SYS(gettid, 0, 0, 0, 0, 0, 0), sig, 0, 0, 0);
}

/* sig's default action, as the program sets it: the monitor's handler. */
long mon_set_default(int sig)
{
	uint64_t act[4] = {(uint64_t)on_fatal, SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTORER,
			   (uint64_t)mon_restorer, 0};
	long r = hl_sys6(__NR_rt_sigaction, sig, (long)act, 0, 8, 0, 0);
	if (!r)
		__atomic_fetch_or(&dfl_virtual, SIGBIT(sig), __ATOMIC_RELAXED);
	return r;
}

void mon_default_gone(int sig)
{
	__atomic_fetch_and(&dfl_virtual, ~SIGBIT(sig), __ATOMIC_RELAXED);
}

bool mon_default_virtual(long sig)
{
	return sig >= 1 && sig <= 64 && (dfl_virtual & SIGBIT(sig));
}

bool mon_fatal_by_default(long sig)
{
	return sig >= 1 && sig <= 64 && !(NOT_FATAL & SIGBIT(sig));
}

void mon_fatal_init(void)
{
	for (int sig = 1; sig <= 64; sig++) {
		uint64_t old[4];
		if (mon_fatal_by_default(sig) && !SYS(rt_sigaction, sig, 0, old, 8, 0, 0) && old[0] == 0)
			mon_set_default(sig);
	}
}
