/* The explore campaign's runs: up to -j tests at once, each recorded in
 * the results database the moment it ends, and the progress line. */
#include "cli/explore.h"

#include "analysis/util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t explore_interrupted;

/* ------------------------------------------------------------ progress */

static void fmt_secs(char *buf, size_t len, double s)
{
	if (s >= 3600)
		snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
	else if (s >= 60)
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
	else
		snprintf(buf, len, "%.0fs", s);
}

/* Mean time per run over what ran so far, shared by the slots. */
static double eta_secs(const struct explore *e)
{
	if (!e->done)
		return NAN;
	double per = (double)e->run_ns / 1e9 / e->done;
	return per * (e->total - e->done) / e->jobs;
}

/* The features of the runs in progress, one per line, for a viewer. */
static void running_names(const struct explore *e, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (int i = 0; i < e->jobs && n < len; i++)
		if (e->slots[i].busy && e->slots[i].task->feature_name)
			n += (size_t)snprintf(buf + n, len - n, "%s\n", e->slots[i].task->feature_name);
}

/* The progress line; in the database too, for `hyperloupe tui --db`. */
static void progress_line(const struct explore *e, const char *now, char *line, size_t len)
{
	int width = 24, fill = e->total ? e->done * width / e->total : 0;
	char bar[32], el[16], eta[16] = "?";
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '.', (size_t)(width - fill));
	bar[width] = 0;
	fmt_secs(el, sizeof(el), (double)(now_ns() - e->t0_ns) / 1e9);
	if (!isnan(eta_secs(e)))
		fmt_secs(eta, sizeof(eta), eta_secs(e));
	snprintf(line, len, "[%s] %d/%d runs, %d failed, %s elapsed, ETA %s%s%.60s", bar, e->done, e->total,
		 e->failed, el, eta, now ? ": " : "", now ? now : "");
}

/* On a terminal the line is redrawn in place; in a log, one line per 5%. */
static void progress(struct explore *e, const char *now)
{
	char line[256], running[2048];
	if (!e->total)
		return;
	progress_line(e, now, line, sizeof(line));
	running_names(e, running, sizeof(running));
	rdb_set_progress(e->db, e->wl, line, running);
	int pct = e->done * 100 / e->total;
	if (e->quiet || (!e->tty && pct / 5 == e->last_pct / 5 && e->done < e->total && e->done))
		return;
	e->last_pct = pct;
	fprintf(stderr, "%s%s %s%s", e->tty ? "\r\033[K" : "", e->w.name, line, e->tty ? "" : "\n");
	fflush(stderr);
}

void explore_progress_end(struct explore *e)
{
	if (e->tty && !e->quiet && e->total)
		fputc('\n', stderr);
	e->total = e->done = e->failed = 0;
	e->run_ns = 0;
}

/* ------------------------------------------------------------ one run */

/* HL_RUN: this hyperloupe's `run` with the statistics file, the whitelist
 * and the task's policy. */
static char *hl_run(const struct explore *e, const struct slot *s)
{
	size_t len = EXPLORE_POLICY_MAX + 2 * PATH_MAX + 4096;
	char *buf = calloc(1, len);
	if (!buf)
		return NULL;
	test_sh_word(buf, len, e->self);
	test_sh_word(buf, len, "run");
	test_sh_word(buf, len, "--stats");
	test_sh_word(buf, len, s->stats);
	for (int i = 0; i < e->w.binaries.n; i++) {
		test_sh_word(buf, len, "--only");
		test_sh_word(buf, len, e->w.binaries.v[i]);
	}
	size_t n = strlen(buf);
	snprintf(buf + n, len - n, "%s%s --", s->task->policy[0] ? " " : "", s->task->policy);
	return buf;
}

/* A run with a policy that takes hang_factor times the slowest baseline
 * run hangs (10 s at least; the workload's own timeout at most): a server
 * that never answers its first request would otherwise hold a slot for
 * the whole timeout. */
static int run_timeout(const struct explore *e, const struct task *t)
{
	if (t->kind == RDB_BASELINE || e->hang_factor <= 0 || !(e->base_max_wall_s > 0))
		return e->w.timeout_s;
	double s = e->hang_factor * e->base_max_wall_s;
	return s < 10 ? 10 : s > e->w.timeout_s ? e->w.timeout_s : (int)ceil(s);
}

static int start(struct explore *e, struct slot *s, struct task *t)
{
	s->task = t;
	snprintf(s->stats, sizeof(s->stats), "%s/run%d.json", e->tmpdir, e->next_stats++);
	unlink(s->stats);
	s->out = tmpfile();
	s->err = tmpfile();
	char *run = hl_run(e, s);
	int r = s->out && s->err && run ? testjob_start(&s->job, e->script, run, run_timeout(e, t), fileno(s->out),
							 fileno(s->err))
					: -ENOMEM;
	free(run);
	if (r) {
		hl_err("explore: cannot start the test: %s", strerror(-r));
		if (s->out)
			fclose(s->out);
		if (s->err)
			fclose(s->err);
		/* Nothing more can run: stop as if interrupted, losing nothing. */
		explore_interrupted = 1;
		return -1;
	}
	s->busy = true;
	progress(e, t->label);
	return 0;
}

/* The last line of the test's stderr, which says why a test failed. */
static void last_line(FILE *f, char *out, size_t len)
{
	char line[512];
	out[0] = 0;
	rewind(f);
	while (fgets(line, sizeof(line), f))
		if (line[strspn(line, " \t\r\n")])
			snprintf(out, len, "%.*s", (int)strcspn(line, "\r\n"), line);
}

static void outcome(struct explore *e, struct slot *s, char *json, struct run_outcome *o, char *fresh, size_t len)
{
	char metric[64];
	bool policy = s->task->kind != RDB_BASELINE && s->task->kind != RDB_DISCOVERY;
	fresh[0] = 0;
	if (json && policy)
		rdb_new_calls(e->db, e->wl, json, fresh, len);
	struct rdb_stats_outcome so = {0, -1, -1};
	test_read_metric(s->out, metric, sizeof(metric));
	if (json)
		rdb_stats_outcome(e->db, json, &so);
	*o = (struct run_outcome){
		.status = s->job.status,
		.timed_out = s->job.timed_out,
		.crash_signal = so.crash_signal,
		.has_metric = metric[0] != 0,
		.metric = metric[0] ? strtod(metric, NULL) : NAN,
		.peak_rss_kb = so.peak_rss_kb,
		.fds = so.fds_peak,
		.new_calls = fresh,
	};
}

/* Records the finished run; its verdict. */
static bool record(struct explore *e, struct slot *s)
{
	struct task *t = s->task;
	char *json = hl_read_file(s->stats), why[400], tail[200], fresh[256];
	char reason[sizeof(why) + 2 + sizeof(tail)]; /* why ": " tail */
	struct run_outcome o;
	outcome(e, s, json, &o, fresh, sizeof(fresh));
	bool ok = run_verdict(&o, &e->base, &e->tol, why, sizeof(why));
	last_line(s->err, tail, sizeof(tail));
	bool test_failed = o.status || o.timed_out;
	snprintf(reason, sizeof(reason), "%s%s%s", why, test_failed && tail[0] ? ": " : "", test_failed ? tail : "");
	bool keep = t->kind == RDB_BASELINE || t->kind == RDB_DISCOVERY;
	struct rdb_run r = {.workload = e->wl, .feature = t->feature, .kind = t->kind, .replica = t->replica,
			    .policy = t->policy, .ok = ok, .exit_status = o.status, .reason = ok ? NULL : reason,
			    .metric = o.metric, .peak_rss_kb = o.peak_rss_kb, .fds = o.fds,
			    .wall_ns = (int64_t)(s->job.secs * 1e9), .stats = keep ? json : NULL};
	if (rdb_add_run(e->db, &r))
		hl_err("explore: cannot record a run in %s", e->db_path);
	free(json);
	unlink(s->stats);
	return ok;
}

static void release(struct slot *s)
{
	fclose(s->out);
	fclose(s->err);
	s->busy = false;
}

/* Polls the slot; true when it is free (again). */
static bool reap(struct explore *e, struct slot *s, int *verdict)
{
	if (!s->busy)
		return true;
	if (!testjob_poll(&s->job, explore_interrupted))
		return false;
	bool finished = !s->job.stopped;
	if (finished) {
		bool ok = record(e, s);
		e->done++;
		e->failed += !ok;
		e->run_ns += (uint64_t)(s->job.secs * 1e9);
		if (verdict)
			*verdict = ok;
	}
	release(s);
	/* After the release, so that the runs in flight it records leave this
	 * one out. */
	if (finished)
		progress(e, s->task->label);
	return true;
}

int explore_run_tasks(struct explore *e, struct task *tasks, int n)
{
	int next = 0, running;
	progress(e, NULL);
	do {
		running = 0;
		for (int i = 0; i < e->jobs; i++) {
			struct slot *s = &e->slots[i];
			if (reap(e, s, NULL) && next < n && !explore_interrupted && !start(e, s, &tasks[next]))
				next++;
			running += s->busy;
		}
		if (running)
			nanosleep(&(struct timespec){0, 20000000}, NULL);
	} while (running || (next < n && !explore_interrupted));
	return explore_interrupted ? -1 : 0;
}

int explore_run_one(struct explore *e, struct task *t)
{
	struct slot *s = &e->slots[0];
	int verdict = -1;
	if (start(e, s, t))
		return -1;
	while (!reap(e, s, &verdict))
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	return explore_interrupted ? -1 : verdict;
}
