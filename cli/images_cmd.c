/* `hyperloupe images`: the workloads of an images directory
 * (analysis/workload.h, images/README.md). This is the host-side CLI: it
 * never runs a guest itself; `check --vm` has each test start the
 * application under `hyperloupe run` through HL_RUN. */
#include "cli/images_cmd.h"
#include "cli/engine.h"

#include "analysis/util.h"
#include "analysis/workload.h"
#include "cli/testrun.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef HL_IMAGES_DIR
#define HL_IMAGES_DIR "images"
#endif

extern char **environ;

static const char images_usage[] =
	"usage: hyperloupe images [--dir DIR] COMMAND\n"
	"  list                   the workloads: installed?, binaries, description\n"
	"  show NAME              one workload's definition, packages and hash\n"
	"  install NAME...        apt-get install the packages they lack (as root)\n"
	"  check [-v] [--vm] [--engine auto|kvm|sud] [NAME...]\n"
	"                         run their tests (all without NAME), natively or, with\n"
	"                         --vm, the application under this hyperloupe's `run`\n"
	"  --dir DIR              the images directory (default: $HL_IMAGES, else\n"
	"                         " HL_IMAGES_DIR ")\n"
	"exit status: 0 ok, 1 a failure (a test failed or was skipped), 2 usage\n";

#define MAX_WORKLOADS 256

static const char *images_dir;
static volatile sig_atomic_t interrupted;

/* ---------------------------------------------------------- helpers */

/* Runs ARGV (PATH lookup), its stdout into OUT (NUL-terminated, at most
 * SIZE - 1 bytes; NULL: inherited), stderr to /dev/null when capturing.
 * Its exit status, 128 + signal, or -1 when it could not start. */
static int run_program(char *const argv[], char *out, size_t size)
{
	int pfd[2] = {-1, -1}, status;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (out && pipe2(pfd, O_CLOEXEC) == 0) {
		posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	}
	pid_t pid;
	int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (pfd[1] >= 0)
		close(pfd[1]);
	size_t n = 0;
	ssize_t k;
	while (pfd[0] >= 0 && !r && n + 1 < size && (k = read(pfd[0], out + n, size - 1 - n)) > 0)
		n += (size_t)k;
	if (out)
		out[n] = 0;
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (r || waitpid(pid, &status, 0) < 0)
		return -1;
	return hl_exit_code(status);
}

static bool pkg_installed(const char *pkg)
{
	char *argv[] = {"dpkg-query", "-W", "-f=${Status}", (char *)pkg, NULL};
	char out[256];
	return run_program(argv, out, sizeof(out)) == 0 && strstr(out, "ok installed");
}

static int count_missing(const struct workload *w)
{
	int n = 0;
	for (int i = 0; i < w->packages.n; i++)
		n += !pkg_installed(w->packages.v[i]);
	return n;
}

static int load(const char *name, struct workload *w)
{
	char err[PATH_MAX + 512];
	if (wl_load(images_dir, name, w, err, sizeof(err)) == 0)
		return 0;
	hl_err("images: %s", err);
	return -1;
}

/* The names of every workload, sorted; -1 (reported) on error. */
static int all_names(char (*names)[WL_NAME_MAX])
{
	int n = wl_list(images_dir, names, MAX_WORKLOADS);
	if (n < 0)
		hl_err("images: %s: %s", images_dir, strerror(-n));
	else if (n > MAX_WORKLOADS)
		hl_err("images: %s: more than %d workloads", images_dir, MAX_WORKLOADS);
	return n > MAX_WORKLOADS ? -1 : n;
}

static void join_words(char *buf, size_t size, const struct wl_words *w, const char *sep)
{
	size_t n = 0;
	buf[0] = 0;
	for (int i = 0; i < w->n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? sep : "", w->v[i]);
}

/* ---------------------------------------------------- list and show */

static int cmd_list(void)
{
	static char names[MAX_WORKLOADS][WL_NAME_MAX];
	int n = all_names(names), bad = 0;
	if (n < 0)
		return 1;
	printf("%-20s %-10s %-22s %s\n", "NAME", "INSTALLED", "BINARIES", "DESCRIPTION");
	for (int i = 0; i < n; i++) {
		static struct workload w;
		char bins[512], inst[32];
		if (load(names[i], &w)) {
			bad = 1;
			continue;
		}
		int missing = count_missing(&w);
		snprintf(inst, sizeof(inst), missing ? "no (%d)" : "yes", missing);
		join_words(bins, sizeof(bins), &w.binaries, ",");
		printf("%-20s %-10s %-22s %s\n", w.name, inst, bins, w.description);
	}
	return bad;
}

static void show_packages(const struct workload *w)
{
	printf("%-12s", "packages");
	for (int i = 0; i < w->packages.n; i++)
		printf(" %s (%s)", w->packages.v[i], pkg_installed(w->packages.v[i]) ? "installed" : "missing");
	printf("%s\n", w->packages.n ? "" : " (none)");
}

static int cmd_show(int argc, char **argv)
{
	static struct workload w;
	char bins[WL_WORDS_MAX * WL_WORD_MAX];
	uint64_t hash;
	if (argc != 2) {
		fputs(images_usage, stderr);
		return 2;
	}
	if (load(argv[1], &w))
		return 1;
	int r = wl_hash(images_dir, w.name, &hash);
	join_words(bins, sizeof(bins), &w.binaries, " ");
	printf("%-12s %s\n%-12s %s/%s\n%-12s %s\n", "name", w.name, "folder", images_dir, w.name, "description",
	       w.description);
	show_packages(&w);
	printf("%-12s %s\n%-12s %d s\n", "binaries", bins, "timeout", w.timeout_s);
	if (w.goal == WL_METRIC_NONE)
		printf("%-12s none\n", "metric");
	else
		printf("%-12s %s (%s is better)\n", "metric", w.metric, w.goal == WL_METRIC_HIGHER ? "higher" : "lower");
	printf("%-12s %s\n%-12s %s\n", "run", w.run, "test", w.test);
	if (r)
		hl_err("images: cannot hash %s: %s", w.name, strerror(-r));
	else
		printf("%-12s fnv1a64:%016llx\n", "hash", (unsigned long long)hash);
	return r ? 1 : 0;
}

/* ------------------------------------------------------------ install */

/* The packages the named workloads lack, each once, into PKGS (pointing
 * into WS). Their number, or -1 when a workload does not load. */
static int missing_packages(int argc, char **argv, struct workload *ws, const char **pkgs)
{
	int n = 0;
	for (int i = 0; i < argc; i++) {
		if (load(argv[i], &ws[i]))
			return -1;
		for (int j = 0; j < ws[i].packages.n; j++) {
			const char *p = ws[i].packages.v[j];
			int k = 0;
			while (k < n && strcmp(pkgs[k], p))
				k++;
			if (k == n && !pkg_installed(p))
				pkgs[n++] = p;
		}
	}
	return n;
}

/* apt-get COMMAND [PKGS...], shown as it runs. */
static int apt_get(const char *command, const char **pkgs, int n)
{
	const char *argv[WL_WORDS_MAX * 16 + 8] = {"apt-get", command};
	int a = 2;
	if (!strcmp(command, "install")) {
		argv[a++] = "-y";
		argv[a++] = "--no-install-recommends";
	}
	printf("+ DEBIAN_FRONTEND=noninteractive");
	for (int i = 0; i < a; i++)
		printf(" %s", argv[i]);
	for (int i = 0; i < n && a + 1 < (int)ARRAY_SIZE(argv); i++)
		printf(" %s", (argv[a++] = pkgs[i]));
	printf("\n");
	fflush(stdout);
	argv[a] = NULL;
	return run_program((char *const *)argv, NULL, 0);
}

static int cmd_install(int argc, char **argv)
{
	if (argc < 2 || argc - 1 > 16) {
		hl_err("images: install: give 1 to 16 workload names");
		return 2;
	}
	struct workload *ws = calloc((size_t)argc, sizeof(*ws));
	const char *pkgs[WL_WORDS_MAX * 16];
	int n = ws ? missing_packages(argc - 1, argv + 1, ws, pkgs) : -1, r = n < 0;
	if (n == 0)
		printf("nothing to install: every package is there\n");
	if (n > 0 && geteuid() != 0) {
		hl_err("images: install: %d package(s) missing; run as root to install them", n);
		r = 1;
	} else if (n > 0) {
		setenv("DEBIAN_FRONTEND", "noninteractive", 1);
		/* A fresh machine may have no package lists yet: update, retry. */
		if (apt_get("install", pkgs, n) && (apt_get("update", NULL, 0) || apt_get("install", pkgs, n)))
			r = 1;
		for (int i = 0; i < n; i++) {
			if (!pkg_installed(pkgs[i])) {
				hl_err("images: install: %s is still not installed", pkgs[i]);
				r = 1;
			}
		}
	}
	free(ws);
	return r;
}

/* --------------------------------------------------------------- check */

struct test_result {
	int status; /* exit status, 128 + signal */
	bool timed_out;
	double secs;
	char metric[64]; /* the number on stdout's last line, "" if none */
};

/* HL_RUN for --vm: this hyperloupe's `run`, the workload's binaries as the
 * --only whitelist. */
static void vm_prefix(const struct workload *w, const char *self, char *buf, size_t size)
{
	buf[0] = 0;
	test_sh_word(buf, size, self);
	test_sh_word(buf, size, "run");
	for (int i = 0; i < w->binaries.n; i++) {
		test_sh_word(buf, size, "--only");
		test_sh_word(buf, size, w->binaries.v[i]);
	}
	test_sh_word(buf, size, "--");
}

static int run_test(const struct workload *w, const char *hl_run, struct test_result *res, FILE *err)
{
	char script[PATH_MAX * 2];
	struct test_job job;
	FILE *out = tmpfile();
	memset(res, 0, sizeof(*res));
	if (!out)
		return hl_err("images: tmpfile: %s", strerror(errno)), -1;
	snprintf(script, sizeof(script), "%s/%s/%s", images_dir, w->name, w->test);
	int r = testjob_start(&job, script, hl_run, w->timeout_s, fileno(out), fileno(err));
	if (r) {
		hl_err("images: fork: %s", strerror(-r));
		fclose(out);
		return -1;
	}
	testjob_wait(&job, &interrupted);
	res->status = job.status;
	res->timed_out = job.timed_out;
	res->secs = job.secs;
	test_read_metric(out, res->metric, sizeof(res->metric));
	fclose(out);
	return 0;
}

/* The last LINES lines of F (the test's stderr), indented. */
static void show_tail(FILE *f, int lines)
{
	char buf[1024];
	int total = 0, i = 0;
	rewind(f);
	while (fgets(buf, sizeof(buf), f))
		total += strchr(buf, '\n') != NULL;
	rewind(f);
	while (fgets(buf, sizeof(buf), f))
		if (i++ >= total - lines)
			printf("    | %s%s", buf, strchr(buf, '\n') ? "" : "\n");
}

/* One line per test: name, verdict, time, metric. A declared metric the
 * test did not print is a failure: the campaign needs the number. */
static bool report(const struct workload *w, const struct test_result *res, FILE *err, bool verbose)
{
	bool no_metric = res->status == 0 && !res->timed_out && w->goal != WL_METRIC_NONE && !res->metric[0];
	const char *verdict = res->timed_out ? "TIMEOUT" : no_metric ? "FAIL" : res->status == 0 ? "pass"
						     : res->status == 77 ? "skip" : "FAIL";
	bool ok = !strcmp(verdict, "pass");
	printf("%-20s %-7s %8.2f s", w->name, verdict, res->secs);
	if (res->metric[0])
		printf("  %s=%s", w->goal == WL_METRIC_NONE ? "metric" : w->metric, res->metric);
	if (res->timed_out)
		printf("  (after the %d s timeout)", w->timeout_s);
	else if (no_metric)
		printf("  (no %s on the last line of stdout)", w->metric);
	else if (!ok)
		printf("  (exit status %d)", res->status);
	printf("\n");
	if (verbose || !ok)
		show_tail(err, verbose ? 1 << 30 : 15);
	fflush(stdout);
	return ok;
}

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int check_one(const char *name, bool vm, bool verbose, const char *self)
{
	static struct workload w;
	struct test_result res;
	char hl_run[8192] = "";
	if (load(name, &w))
		return 1;
	if (vm)
		vm_prefix(&w, self, hl_run, sizeof(hl_run));
	FILE *err = tmpfile();
	int r = err ? run_test(&w, hl_run, &res, err) : -1;
	if (!err)
		hl_err("images: tmpfile: %s", strerror(errno));
	bool ok = r == 0 && report(&w, &res, err, verbose);
	if (err)
		fclose(err);
	return ok ? 0 : 1;
}

static int cmd_check(int argc, char **argv)
{
	static char names[MAX_WORKLOADS][WL_NAME_MAX];
	bool vm = false, verbose = false;
	int i = 1, n, failed = 0;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--vm"))
			vm = true;
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "--engine") && i + 1 < argc)
			engine_select(argv[++i]);
		else
			return fputs(images_usage, stderr), 2;
	}
	char self[PATH_MAX];
	if (!realpath("/proc/self/exe", self))
		return hl_err("images: cannot find this program's path: %s", strerror(errno)), 1;
	test_default_hl_build(self);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	n = i < argc ? argc - i : all_names(names);
	if (n < 0)
		return 1;
	for (int k = 0; k < n && !interrupted; k++)
		failed |= check_one(i < argc ? argv[i + k] : names[k], vm, verbose, self);
	return failed || interrupted ? 1 : 0;
}

int cmd_images(int argc, char **argv)
{
	int i = 1;
	images_dir = getenv("HL_IMAGES") && *getenv("HL_IMAGES") ? getenv("HL_IMAGES") : HL_IMAGES_DIR;
	if (i + 1 < argc && !strcmp(argv[i], "--dir"))
		images_dir = argv[i + 1], i += 2;
	else if (i < argc && !strncmp(argv[i], "--dir=", 6))
		images_dir = argv[i++] + 6;
	const char *cmd = i < argc ? argv[i] : "";
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
		return fputs(images_usage, stdout), 0;
	if (!strcmp(cmd, "list") && i + 1 == argc)
		return cmd_list();
	if (!strcmp(cmd, "show"))
		return cmd_show(argc - i, argv + i);
	if (!strcmp(cmd, "install"))
		return cmd_install(argc - i, argv + i);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - i, argv + i);
	fputs(images_usage, stderr);
	return 2;
}
