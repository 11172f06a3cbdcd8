/* `hyperloupe live [--once] [--interval S] [PID]`. */
#include "cli/live.h"
#include "analysis/util.h"
#include "analysis/runstats.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct only_run {
	int pid, n;
};

static void count_alive(int pid, bool alive, void *arg)
{
	struct only_run *o = arg;
	if (alive)
		o->pid = pid, o->n++;
}

int live_only_run(void)
{
	struct only_run o = {-1, 0};
	stats_each_run(count_alive, &o);
	return o.n > 1 ? -2 : o.pid;
}

static void snapshot(const struct run_stats *r, int pid)
{
	uint64_t now = now_ns();
	bool ended = __atomic_load_n(&r->ended, __ATOMIC_ACQUIRE);
	printf("hyperloupe live: run %d, %u process record(s), %.1f s%s\n", pid,
	       __atomic_load_n(&r->nprocs, __ATOMIC_RELAXED), (double)(now - r->start_ns) / 1e9,
	       ended ? ", ended" : "");
	stats_print_summary(r, NULL, stdout);
	fflush(stdout);
}

static int parse_pid(int argc, char **argv, int optind_)
{
	if (optind_ < argc) {
		char *end;
		long v = strtol(argv[optind_], &end, 10);
		if (*end || v <= 0 || v > 1 << 22)
			hl_fail(2, "live: '%s' is not a pid", argv[optind_]);
		return (int)v;
	}
	int pid = live_only_run();
	if (pid == -2)
		hl_fail(2, "live: several runs are going on: name one by the pid of its first process");
	if (pid < 0)
		hl_fail(1, "live: no hyperloupe run is going on");
	return pid;
}

int cmd_live(int argc, char **argv)
{
	static const struct option opts[] = {
		{"once", no_argument, NULL, 'o'},
		{"interval", required_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool once = false;
	double interval = 1.0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'o')
			once = true;
		else if (c == 'i' && (interval = atof(optarg)) > 0)
			continue;
		else
			hl_fail(c == 'h' ? 0 : 2, "usage: hyperloupe live [--once] [--interval SECONDS] [PID]");
	}
	int pid = parse_pid(argc, argv, optind);
	const struct run_stats *r = stats_run_open(pid);
	if (!r)
		hl_fail(1, "live: no statistics for run %d: %s", pid,
			errno == EPROTO ? "made by another version of hyperloupe" : strerror(errno));
	for (;;) {
		snapshot(r, pid);
		if (once || __atomic_load_n(&r->ended, __ATOMIC_ACQUIRE))
			break;
		struct timespec ts = {(time_t)interval, (long)((interval - (double)(time_t)interval) * 1e9)};
		nanosleep(&ts, NULL);
		putchar('\n');
	}
	stats_run_close(r);
	return 0;
}
