/* hl-agent: the guest agent.  Runs inside the guest (as an ordinary
 * program: `hyperloupe run -- hl-agent run -- CMD...`), starts and reaps the
 * workload, and reports to the VMM through hypercalls (hypercall.h): the
 * workload's start, readiness and exit status, phase marks and metrics.
 *
 * Natively (no hyperloupe) it works the same and reports nothing: the
 * probe hypercall tells the two apart. */
#include "guestagent/hypercall.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef HL_VERSION
#define HL_VERSION "?"
#endif

#define EXIT_USAGE 2

static const char usage[] =
	"usage: hl-agent COMMAND [ARGS...]\n"
	"\n"
	"The guest agent of hyperloupe: run it inside the VM, e.g.\n"
	"  hyperloupe run --stats out.json -- hl-agent run -- redis-server\n"
	"\n"
	"commands:\n"
	"  run [--ready-file PATH | --ready-tcp PORT] [--] CMD [ARGS...]\n"
	"                      start CMD (looked up in PATH), report it started, ready\n"
	"                      (right after it is executed, or once PATH exists, or\n"
	"                      once 127.0.0.1/::1 PORT accepts a connection) and its\n"
	"                      exit status; reap every other child meanwhile; exit\n"
	"                      with CMD's status (128 + signal when it was killed)\n"
	"  mark PHASE          a new phase starts now (1 to 63 bytes), e.g. measure;\n"
	"                      `hyperloupe run --phase PHASE` counts only that phase\n"
	"  metric NAME VALUE   report a metric (VALUE a decimal number, e.g. 1234.5);\n"
	"                      it appears in the --stats JSON under \"metrics\"\n"
	"  probe               print `hyperloupe` and exit 0 under hyperloupe, print\n"
	"                      `native` and exit 1 otherwise\n"
	"\n"
	"Outside hyperloupe every command still works; the reports are skipped.\n"
	"Exit status: run: CMD's; 2 for a usage error; 1 when a report fails.\n"
	"\n"
	"  -h, --help          this text\n"
	"  -V, --version       version\n";

__attribute__((noreturn, format(printf, 1, 2)))
static void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("hl-agent: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try hl-agent --help)\n", stderr);
	exit(EXIT_USAGE);
}

static bool under_hyperloupe(void)
{
	static int known = -1;
	if (known < 0)
		known = hl_hypercall(HL_HC_PROBE, 0, 0) == HL_HC_MAGIC;
	return known;
}

/* A report; a failure is reported on stderr (the workload goes on). */
static int report(const char *what, long op, long a1, long a2)
{
	if (!under_hyperloupe())
		return 0;
	long r = hl_hypercall(op, a1, a2);
	if (r < 0) {
		fprintf(stderr, "hl-agent: %s: %s\n", what, strerror((int)-r));
		return -1;
	}
	return 0;
}

static bool name_ok(const char *s)
{
	return s[0] && strlen(s) <= HL_HC_NAME_MAX;
}

static bool value_ok(const char *s)
{
	char *end;
	if (strlen(s) > HL_HC_VALUE_MAX)
		return false;
	double v = strtod(s, &end);
	return end != s && !*end && isfinite(v);
}

/* ---- run ---- */

static volatile pid_t child_pid;

/* Signals sent to the agent (kill, not the terminal, which signals the
 * whole foreground group anyway) go on to the workload. */
static void forward(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (child_pid > 0 && si->si_code <= 0)
		kill(child_pid, sig);
}

static const int forwarded[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};

static void forward_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &sa, NULL);
}

static bool tcp_open(int family, int port)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	int r;
	if (family == AF_INET) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	} else {
		struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
		a.sin6_addr = in6addr_loopback;
		r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	}
	close(fd);
	return r == 0;
}

struct ready_cond {
	const char *file;
	int port; /* 0: none */
};

static bool is_ready(const struct ready_cond *c)
{
	if (c->file)
		return access(c->file, F_OK) == 0;
	if (c->port)
		return tcp_open(AF_INET, c->port) || tcp_open(AF_INET6, c->port);
	return true;
}

/* Reap what has ended (every child: the workload's orphans come to us);
 * true once the workload itself has, with its status in *status. */
static bool reap(bool block, int *status)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, block ? 0 : WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			return false;
		if (pid == child_pid) {
			*status = st;
			return true;
		}
	}
}

static int shell_status(int st)
{
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int parse_port(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 65535)
		usage_error("run: --ready-tcp: not a TCP port (1-65535): %s", s);
	return (int)v;
}

static void exec_child(char **cmd, int errfd)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(cmd[0], cmd);
	int e = errno;
	while (write(errfd, &e, sizeof(e)) < 0 && errno == EINTR)
		;
	_exit(e == ENOENT ? 127 : 126);
}

static int cmd_run(int argc, char **argv)
{
	struct ready_cond cond = {NULL, 0};
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "--ready-file") || !strcmp(a, "--ready-tcp")) {
			if (i + 1 >= argc)
				usage_error("run: %s needs an argument", a);
			if (cond.file || cond.port)
				usage_error("run: %s: give at most one readiness condition", a);
			if (!strcmp(a, "--ready-file")) {
				if (!argv[i + 1][0])
					usage_error("run: --ready-file: empty path");
				cond.file = argv[i + 1];
			} else {
				cond.port = parse_port(argv[i + 1]);
			}
			i++;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			exit(0);
		}
		if (a[0] == '-' && a[1])
			usage_error("run: unknown option: %s", a);
		break;
	}
	if (i >= argc)
		usage_error("run: no command given (hl-agent run [OPTIONS] -- CMD [ARGS...])");
	char **cmd = argv + i;

	/* Orphans of the workload are reparented to us, and reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	forward_signals();
	int errp[2];
	if (pipe2(errp, O_CLOEXEC) < 0) {
		perror("hl-agent: pipe");
		return 1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("hl-agent: fork");
		return 1;
	}
	if (pid == 0) {
		close(errp[0]);
		exec_child(cmd, errp[1]);
	}
	child_pid = pid;
	close(errp[1]);
	report("started", HL_HC_STARTED, pid, 0);
	/* The pipe closes on the child's execve, or carries its errno. */
	int e = 0;
	ssize_t n;
	while ((n = read(errp[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(errp[0]);
	int status = 0;
	bool done = false;
	if (n > 0) {
		fprintf(stderr, "hl-agent: %s: %s\n", cmd[0], strerror(e));
	} else {
		while (!(done = reap(false, &status)) && !is_ready(&cond)) {
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		if (!done)
			report("ready", HL_HC_READY, 0, 0);
	}
	if (!done)
		reap(true, &status);
	/* Whatever else has ended by now; children still running are left
	 * to whoever inherits them. */
	int other;
	reap(false, &other);
	child_pid = -1; /* its pid may be reused: forward nothing more */
	report("exited", HL_HC_EXITED, status, 0);
	return shell_status(status);
}

/* ---- mark, metric, probe ---- */

static int cmd_mark(int argc, char **argv)
{
	if (argc != 2)
		usage_error("mark: expected one PHASE name (hl-agent mark PHASE)");
	if (!name_ok(argv[1]))
		usage_error("mark: the phase name must be 1 to 63 bytes: '%s'", argv[1]);
	return report("mark", HL_HC_MARK, (long)argv[1], 0) ? 1 : 0;
}

static int cmd_metric(int argc, char **argv)
{
	if (argc != 3)
		usage_error("metric: expected NAME and VALUE (hl-agent metric NAME VALUE)");
	if (!name_ok(argv[1]))
		usage_error("metric: the name must be 1 to 63 bytes: '%s'", argv[1]);
	if (!value_ok(argv[2]))
		usage_error("metric: not a finite decimal number (at most 63 bytes): '%s'", argv[2]);
	return report("metric", HL_HC_METRIC, (long)argv[1], (long)argv[2]) ? 1 : 0;
}

static int cmd_probe(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		usage_error("probe: takes no arguments");
	bool under = under_hyperloupe();
	puts(under ? "hyperloupe" : "native");
	return under ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage_error("no command given");
	const char *c = argv[1];
	if (!strcmp(c, "-h") || !strcmp(c, "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(c, "-V") || !strcmp(c, "--version")) {
		printf("hl-agent %s\n", HL_VERSION);
		return 0;
	}
	if (!strcmp(c, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(c, "mark"))
		return cmd_mark(argc - 1, argv + 1);
	if (!strcmp(c, "metric"))
		return cmd_metric(argc - 1, argv + 1);
	if (!strcmp(c, "probe"))
		return cmd_probe(argc - 1, argv + 1);
	usage_error("unknown command '%s'", c);
}
