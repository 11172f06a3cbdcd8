/* `hyperloupe explore`: the campaign's phases (explore.h).
 *
 *   1. baseline: the test --replicas times with no policy; every one must
 *      pass.  Their profiles (calls, sub-features, pseudo-files of the
 *      whitelisted binaries) are the features to explore, their figures
 *      the reference for the tolerance checks;
 *   2. each feature stubbed, and faked, --replicas times (-j at once);
 *   3. the verdicts (classify.h);
 *   4. the final run, every avoidable feature stubbed or faked at once;
 *      when it fails, the culprits are found by bisection and their
 *      verdict corrected to required. */
#include "cli/explore.h"
#include "cli/engine.h"

#include "analysis/static.h"
#include "analysis/util.h"
#include "tui/tui.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef HL_IMAGES_DIR
#define HL_IMAGES_DIR "images"
#endif

static const char explore_usage[] =
	"usage: hyperloupe explore [OPTIONS] IMAGE\n"
	"  --db FILE          the results database (default ./hyperloupe.db)\n"
	"  --engine E         auto, kvm or sud: how every run traps calls (default\n"
	"                     $HL_ENGINE, else auto)\n"
	"  --replicas N       runs of each kind per feature, and baseline runs (default 3)\n"
	"  -j, --jobs N       tests at once (default: the number of CPUs)\n"
	"  --images DIR       the images directory (default: $HL_IMAGES, else the source's)\n"
	"  --check-metric T   a run passes only if its metric is within T (10%%) of the\n"
	"                     baseline's mean, on the bad side\n"
	"  --check-rss T      ... and its peak RSS at most T above the baseline's\n"
	"  --check-fds T      ... and its peak of open fds at most T (plus one) above\n"
	"  --allow-new-calls  count a run that passes by calls the baseline never made (a\n"
	"                     fallback) as passed, as Loupe does; by default it fails\n"
	"  --hang-factor F    a run with a policy that takes F times as long as the\n"
	"                     slowest baseline run (10 s at least) hangs (default 4;\n"
	"                     0: only the workload's timeout)\n"
	"  --no-final         skip the final run with everything avoidable applied\n"
	"  -q, --quiet        no progress line\n"
	"  --tui              watch the campaign in the TUI (progress and messages go\n"
	"                     to hyperloupe-explore.log; quitting interrupts it)\n"
	"exit status: 0 explored, 1 the workload or database failed, 2 usage,\n"
	"130 interrupted (the same command resumes)\n";

/* ------------------------------------------------------------- options */

static int parse_count(const char *arg, int max)
{
	char *end;
	long v = strtol(arg, &end, 10);
	return *end || end == arg || v < 1 || v > max ? -1 : (int)v;
}

static double parse_factor(const char *arg)
{
	char *end;
	double v = strtod(arg, &end);
	return *end || end == arg || !(v >= 0 && v <= 1000) ? -1 : v;
}

static int parse_args(struct explore *e, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},         {"replicas", required_argument, NULL, 'r'},
		{"jobs", required_argument, NULL, 'j'},       {"images", required_argument, NULL, 'i'},
		{"check-metric", required_argument, NULL, 'M'}, {"check-rss", required_argument, NULL, 'R'},
		{"check-fds", required_argument, NULL, 'F'},  {"no-final", no_argument, NULL, 'n'},
		{"allow-new-calls", no_argument, NULL, 'a'}, {"hang-factor", required_argument, NULL, 'H'},
		{"quiet", no_argument, NULL, 'q'},            {"help", no_argument, NULL, 'h'},
		{"tui", no_argument, NULL, 'U'},           {"engine", required_argument, NULL, 'E'},
		{0},
	};
	int c;
	bool no_final = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+j:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': e->db_path = optarg; break;
		case 'r': e->replicas = parse_count(optarg, 100); break;
		case 'j': e->jobs = parse_count(optarg, EXPLORE_MAX_JOBS); break;
		case 'i': e->images = optarg; break;
		case 'M': e->tol.metric = parse_tolerance(optarg); break;
		case 'R': e->tol.rss = parse_tolerance(optarg); break;
		case 'F': e->tol.fds = parse_tolerance(optarg); break;
		case 'n': no_final = true; break;
		case 'a': e->tol.allow_new_calls = true; break;
		case 'H': e->hang_factor = parse_factor(optarg); break;
		case 'q': e->quiet = true; break;
		case 'U': e->tui = true; break;
		case 'E': engine_select(optarg); break;
		case 'h': fputs(explore_usage, stdout); exit(0);
		default: return -1;
		}
		if (e->replicas < 0 || e->jobs < 0 || e->hang_factor < 0 || ((c == 'M' || c == 'R' || c == 'F') && parse_tolerance(optarg) < 0))
			return hl_err("explore: bad value for an option: %s", optarg), -1;
	}
	return optind + 1 == argc ? (no_final ? 1 : 0) : -1;
}

/* ---------------------------------------------------------------- setup */

static int open_workload(struct explore *e, const char *name)
{
	char err[512];
	if (wl_load(e->images, name, &e->w, err, sizeof(err)))
		return hl_err("explore: %s", err), -1;
	snprintf(e->script, sizeof(e->script), "%s/%s/%s", e->images, e->w.name, e->w.test);
	if (!realpath("/proc/self/exe", e->self))
		return hl_err("explore: cannot find this program's path: %s", strerror(errno)), -1;
	test_default_hl_build(e->self);
	int r = wl_resolve_binaries(&e->w, getenv("HL_BUILD"), e->bins);
	if (r < 0)
		return hl_err("explore: %s: binary '%s' not found (hyperloupe images install %s)", e->w.name,
			      e->w.binaries.v[-r - 1], e->w.name),
		       -1;
	return 0;
}

static int open_campaign(struct explore *e)
{
	char err[512], def[32], bin[32];
	uint64_t dh, bh;
	if (wl_hash(e->images, e->w.name, &dh) || wl_hash_binaries(e->bins, e->w.binaries.n, &bh))
		return hl_err("explore: cannot hash %s: %s", e->w.name, strerror(errno)), -1;
	snprintf(def, sizeof(def), "fnv1a64:%016llx", (unsigned long long)dh);
	snprintf(bin, sizeof(bin), "fnv1a64:%016llx", (unsigned long long)bh);
	e->db = rdb_open(e->db_path, err, sizeof(err));
	if (!e->db)
		return hl_err("explore: %s: %s", e->db_path, err), -1;
	e->wl = rdb_workload(e->db, e->w.name, def, bin);
	if (e->wl < 0)
		return hl_err("explore: %s: cannot record the workload", e->db_path), -1;
	snprintf(e->tmpdir, sizeof(e->tmpdir), "%s/hl-explore.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(e->tmpdir))
		return hl_err("explore: mkdtemp %s: %s", e->tmpdir, strerror(errno)), -1;
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	explore_interrupted = 1;
}

/* ------------------------------------------------------------- baseline */

struct replica_oks {
	enum rdb_run_kind kind;
	bool ok[100];
	const char *why; /* a failed run's reason */
	char buf[400];
};

static int note_replica(const struct rdb_run *r, void *arg)
{
	struct replica_oks *o = arg;
	if (r->kind != o->kind || r->replica < 0 || r->replica >= 100)
		return 0;
	o->ok[r->replica] = r->ok;
	if (!r->ok && !o->why) {
		snprintf(o->buf, sizeof(o->buf), "%s", r->reason ? r->reason : "failed");
		o->why = o->buf;
	}
	return 0;
}

static void task_init(struct task *t, enum rdb_run_kind kind, int64_t feature, int replica, char *policy,
		      const char *what)
{
	*t = (struct task){.kind = kind, .feature = feature, .replica = replica, .policy = policy};
	snprintf(t->label, sizeof(t->label), "%.140s #%d", what, replica + 1);
}

static void free_tasks(struct task *t, int n)
{
	for (int i = 0; i < n; i++)
		free(t[i].policy);
	free(t);
}

/* Runs the baseline replicas that are not recorded as passed. */
static int run_baselines(struct explore *e)
{
	struct replica_oks o = {.kind = RDB_BASELINE};
	struct task *tasks = calloc((size_t)e->replicas, sizeof(*tasks));
	int n = 0;
	if (!tasks)
		return -1;
	rdb_each_run(e->db, e->wl, 0, note_replica, &o);
	for (int i = 0; i < e->replicas; i++)
		if (!o.ok[i])
			task_init(&tasks[n++], RDB_BASELINE, 0, i, strdup(""), "baseline");
	e->total = n;
	int r = explore_run_tasks(e, tasks, n);
	explore_progress_end(e);
	free_tasks(tasks, n);
	return r;
}

static int import_baselines(struct explore *e)
{
	int nfeat = -1;
	for (int i = 0; i < e->replicas; i++) {
		char *json = rdb_run_stats(e->db, e->wl, RDB_BASELINE, 0, i);
		int n = json ? rdb_import_profile(e->db, e->wl, json) : -1;
		free(json);
		if (n < 0)
			return hl_err("explore: %s: baseline run %d left no statistics", e->w.name, i + 1), -1;
		nfeat = n;
	}
	return nfeat;
}

/* Every baseline must pass: a workload that fails on its own says nothing
 * about the features it uses. */
static int baseline(struct explore *e)
{
	struct replica_oks o = {.kind = RDB_BASELINE};
	struct rdb_summary s;
	if (run_baselines(e))
		return -1;
	rdb_each_run(e->db, e->wl, 0, note_replica, &o);
	if (o.why || rdb_summary(e->db, e->wl, RDB_BASELINE, 0, &s) || s.ok < e->replicas)
		return hl_err("explore: %s fails with no policy (%s); nothing to explore", e->w.name,
			      o.why ? o.why : "no runs"),
		       -1;
	e->base = (struct baseline){e->w.goal, s.metric_mean, s.rss_mean_kb, s.fds_mean};
	e->base_max_wall_s = s.wall_max_ns / 1e9;
	int n = import_baselines(e);
	if (n < 0)
		return -1;
	if (!e->quiet)
		fprintf(stderr, "%s: baseline passed %d times in %.1f s at most; %d features used\n", e->w.name, s.ok,
			e->base_max_wall_s, n);
	rdb_set_state(e->db, e->wl, "discovered");
	return 0;
}

/* --------------------------------------------------------------- static */

static int row_static(const struct rdb_workload_row *w, void *arg)
{
	*(bool *)arg = w->static_nrs != NULL;
	return 0;
}

/* The static analysis of the binaries (Loupe's Figure 4), once per row. */
static void analyse_static(struct explore *e)
{
	bool done = false;
	rdb_workload_row(e->db, e->wl, row_static, &done);
	if (done)
		return;
	uint64_t all[STATIC_BITMAP_WORDS] = {0};
	for (int i = 0; i < e->w.binaries.n; i++) {
		struct static_result r;
		if (static_analyze(e->bins[i], &r) == 0)
			for (int k = 0; k < STATIC_BITMAP_WORDS; k++)
				all[k] |= r.syscalls[k];
		static_result_free(&r);
	}
	char buf[SC_TABLE_SIZE * 4 + 1] = "";
	size_t n = 0;
	for (int nr = 0; nr < SC_TABLE_SIZE; nr++)
		if (all[nr / 64] >> (nr % 64) & 1)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%d", n ? " " : "", nr);
	rdb_set_static(e->db, e->wl, buf);
}

/* ------------------------------------------------------------- features */

/* The features, copied out of the database's rows. */
struct feature {
	int64_t id;
	int nr;
	enum rdb_kind kind;
	char *name;
	enum feat_class cls;
};

struct feature_list {
	struct feature *v;
	int n, cap;
};

static int add_feature(const struct rdb_feature *f, void *arg)
{
	struct feature_list *l = arg;
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 64;
		struct feature *v = realloc(l->v, (size_t)cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v, l->cap = cap;
	}
	l->v[l->n++] = (struct feature){f->id, f->nr, f->kind, strdup(f->name), f->cls};
	return 0;
}

static void free_features(struct feature_list *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
}

/* `--stub 'NAME'` (or --fake): the feature's name is a policy rule. */
static char *policy_for(const char *option, const char *name)
{
	char *buf = calloc(1, strlen(name) * 4 + 32);
	if (buf) {
		test_sh_word(buf, strlen(name) * 4 + 32, option);
		test_sh_word(buf, strlen(name) * 4 + 32, name);
	}
	return buf;
}

/* Replica-major, so that every feature has a first verdict early. */
static int feature_tasks(struct explore *e, const struct feature_list *l, struct task **out)
{
	static const enum rdb_run_kind kinds[] = {RDB_STUB, RDB_FAKE};
	struct task *t = calloc((size_t)l->n * 2 * (size_t)e->replicas + 1, sizeof(*t));
	int n = 0;
	if (!t)
		return -1;
	for (int r = 0; r < e->replicas; r++)
		for (int i = 0; i < l->n; i++)
			for (int k = 0; k < 2; k++) {
				if (rdb_has_run(e->db, e->wl, kinds[k], l->v[i].id, r))
					continue;
				char what[160];
				snprintf(what, sizeof(what), "%s %.140s", rdb_run_kind_name(kinds[k]), l->v[i].name);
				task_init(&t[n], kinds[k], l->v[i].id, r,
					  policy_for(kinds[k] == RDB_STUB ? "--stub" : "--fake", l->v[i].name), what);
				t[n++].feature_name = l->v[i].name;
			}
	*out = t;
	return n;
}

static int explore_features(struct explore *e, const struct feature_list *l)
{
	struct task *tasks;
	int n = feature_tasks(e, l, &tasks);
	if (n < 0)
		return -1;
	if (n && !e->quiet)
		fprintf(stderr, "%s: %d runs to make (%d features x stub/fake x %d replicas, %d already recorded)\n",
			e->w.name, n, l->n, e->replicas, l->n * 2 * e->replicas - n);
	e->total = n;
	rdb_set_state(e->db, e->wl, "exploring");
	int r = explore_run_tasks(e, tasks, n);
	explore_progress_end(e);
	free_tasks(tasks, n);
	return r;
}

static void classify_all(struct explore *e, struct feature_list *l)
{
	for (int i = 0; i < l->n; i++) {
		struct feature *f = &l->v[i];
		f->cls = classify(rdb_replicas(e->db, f->id, RDB_STUB, e->replicas),
				  rdb_replicas(e->db, f->id, RDB_FAKE, e->replicas));
		rdb_set_class(e->db, f->id, f->cls, false);
	}
}

/* ---------------------------------------------------------------- final */

struct final_ctx {
	struct explore *e;
	const struct feature_list *l;
	struct { char *policy; bool ok; } *seen; /* final and bisection runs recorded */
	int nseen, bisect_next;
};

static int note_final(const struct rdb_run *r, void *arg)
{
	struct final_ctx *c = arg;
	if (r->kind != RDB_FINAL && r->kind != RDB_BISECT)
		return 0;
	void *v = realloc(c->seen, (size_t)(c->nseen + 1) * sizeof(*c->seen));
	if (!v)
		return -1;
	c->seen = v;
	c->seen[c->nseen].policy = strdup(r->policy ? r->policy : "");
	c->seen[c->nseen++].ok = r->ok;
	if (r->kind == RDB_BISECT && r->replica >= c->bisect_next)
		c->bisect_next = r->replica + 1;
	return 0;
}

/* `--stub 'a,b' --fake 'c'`: the features items[0..n) as their verdicts
 * say (final_action). */
static char *final_policy(const struct feature_list *l, const int *items, int n)
{
	size_t len = 64;
	for (int i = 0; i < n; i++)
		len += 4 * strlen(l->v[items[i]].name) + 1;
	char *list[2] = {calloc(1, len), calloc(1, len)}, *out = calloc(1, 2 * len + 32);
	for (int i = 0; out && list[0] && list[1] && i < n; i++) {
		char *dst = list[final_action(l->v[items[i]].cls) == 'f'];
		snprintf(dst + strlen(dst), len - strlen(dst), "%s%s", *dst ? "," : "", l->v[items[i]].name);
	}
	for (int k = 0; out && list[0] && list[1] && k < 2; k++)
		if (*list[k]) {
			test_sh_word(out, 2 * len + 32, k ? "--fake" : "--stub");
			test_sh_word(out, 2 * len + 32, list[k]);
		}
	free(list[0]);
	free(list[1]);
	return out;
}

/* The bisection's oracle: one run (or a recorded one with the same
 * policy: a resumed campaign repeats none). */
static bool final_ok(const int *items, int n, void *arg)
{
	struct final_ctx *c = arg;
	if (!n)
		return true; /* the baseline, which passed every time */
	char *policy = final_policy(c->l, items, n);
	if (!policy || explore_interrupted) {
		free(policy);
		return false;
	}
	for (int i = 0; i < c->nseen; i++)
		if (!strcmp(c->seen[i].policy, policy)) {
			free(policy);
			return c->seen[i].ok;
		}
	struct task t;
	bool full = !c->nseen;
	task_init(&t, full ? RDB_FINAL : RDB_BISECT, 0, full ? 0 : c->bisect_next++, policy,
		  full ? "final: everything avoidable" : "bisection");
	snprintf(t.label, sizeof(t.label), full ? "final run, %d features applied" : "bisection, %d features", n);
	int v = explore_run_one(c->e, &t);
	note_final(&(struct rdb_run){.kind = t.kind, .replica = t.replica, .policy = policy, .ok = v == 1}, c);
	free(policy);
	return v == 1;
}

/* What the final run applies: every avoidable feature, but not the
 * sub-features and pseudo-files of a call avoided as a whole (its rule
 * covers them; theirs, more specific, would override it). */
static int final_items(const struct feature_list *l, int *items)
{
	int n = 0;
	for (int i = 0; i < l->n; i++) {
		const struct feature *f = &l->v[i];
		bool covered = false;
		for (int k = 0; f->kind != RDB_CALL && k < l->n; k++)
			covered |= l->v[k].kind == RDB_CALL && l->v[k].nr == f->nr && final_action(l->v[k].cls);
		if (final_action(f->cls) && !covered)
			items[n++] = i;
	}
	return n;
}

static void correct(struct explore *e, struct feature_list *l, const int *culprits, int n)
{
	for (int i = 0; i < n; i++) {
		struct feature *f = &l->v[culprits[i]];
		if (!e->quiet)
			fprintf(stderr, "%s: %s passes alone (%s) but not with the others: required\n", e->w.name,
				f->name, feat_class_name(f->cls));
		f->cls = FC_REQUIRED;
		rdb_set_class(e->db, f->id, FC_REQUIRED, true);
	}
}

static int final_run(struct explore *e, struct feature_list *l)
{
	struct final_ctx c = {.e = e, .l = l};
	int *items = calloc((size_t)l->n + 1, sizeof(int)), *culprits = calloc((size_t)l->n + 1, sizeof(int));
	int runs = 0, r = -1;
	if (!items || !culprits || rdb_each_run(e->db, e->wl, 0, note_final, &c))
		goto out;
	rdb_set_state(e->db, e->wl, "final");
	int n = final_items(l, items);
	e->total = 0; /* the bisection's length is not known in advance */
	int found = bisect_culprits(items, n, final_ok, &c, culprits, &runs);
	if (explore_interrupted)
		goto out;
	if (found > 0)
		correct(e, l, culprits, found);
	if (!e->quiet)
		fprintf(stderr, "%s: final run with %d features stubbed or faked at once: %s (%d runs)\n", e->w.name,
			n, found ? "corrected" : "passed", runs - 1);
	r = 0;
out:
	for (int i = 0; i < c.nseen; i++)
		free(c.seen[i].policy);
	free(c.seen);
	free(items);
	free(culprits);
	return r;
}

/* ----------------------------------------------------------------- main */

static void summary(const struct explore *e, const struct feature_list *l)
{
	static const char *const kinds[] = {"system calls", "sub-features", "pseudo-files"};
	printf("%s: explored with %d replicas; results in %s (hyperloupe report --db %s %s)\n", e->w.name,
	       e->replicas, e->db_path, e->db_path, e->w.name);
	for (int k = RDB_CALL; k <= RDB_PATH; k++) {
		int count[FC__COUNT] = {0}, used = 0;
		for (int i = 0; i < l->n; i++)
			if (l->v[i].kind == (enum rdb_kind)k)
				count[l->v[i].cls]++, used++;
		printf("  %-13s %3d used: %3d required, %3d stub, %3d fake, %3d both, %3d flaky\n", kinds[k], used,
		       count[FC_REQUIRED], count[FC_STUB], count[FC_FAKE], count[FC_BOTH], count[FC_FLAKY]);
	}
}

static int campaign(struct explore *e, bool final)
{
	struct feature_list l = {0};
	int r = baseline(e);
	if (r)
		return r;
	analyse_static(e);
	r = rdb_each_feature(e->db, e->wl, add_feature, &l);
	r = r ? r : explore_features(e, &l);
	if (!r)
		classify_all(e, &l);
	if (!r && final)
		r = final_run(e, &l);
	if (!r) {
		rdb_set_state(e->db, e->wl, "done");
		rdb_set_progress(e->db, e->wl, NULL, NULL);
		summary(e, &l);
	}
	free_features(&l);
	return r;
}

/* --tui: the campaign goes on in a child, its messages to a log, while
 * this process shows it from the database. */
static void start_tui(struct explore *e, const char *workload)
{
	int fd = open("hyperloupe-explore.log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		hl_fail(1, "explore: hyperloupe-explore.log: %s", strerror(errno));
	fflush(NULL);
	pid_t child = fork();
	if (child < 0)
		hl_fail(1, "explore: fork: %s", strerror(errno));
	if (child == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		/* The TUI's Ctrl-C is for the TUI: the campaign stops when it quits. */
		setsid();
		return;
	}
	close(fd);
	exit(tui_watch_campaign(child, e->db_path, workload));
}

int cmd_explore(int argc, char **argv)
{
	static struct explore e;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	e = (struct explore){.db_path = "hyperloupe.db", .replicas = 3, .tol = {-1, -1, -1, false},
			      .hang_factor = 4};
	e.jobs = cpus < 1 ? 1 : cpus > EXPLORE_MAX_JOBS ? EXPLORE_MAX_JOBS : (int)cpus;
	e.images = getenv("HL_IMAGES") && *getenv("HL_IMAGES") ? getenv("HL_IMAGES") : HL_IMAGES_DIR;
	int mode = parse_args(&e, argc, argv);
	if (mode < 0)
		return fputs(explore_usage, stderr), 2;
	if (e.tui)
		start_tui(&e, argv[argc - 1]);
	e.tty = isatty(2);
	e.t0_ns = now_ns();
	if (open_workload(&e, argv[argc - 1]) || open_campaign(&e)) {
		rdb_close(e.db);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	int r = campaign(&e, mode == 0);
	rmdir(e.tmpdir);
	rdb_close(e.db);
	if (explore_interrupted) {
		fprintf(stderr, "\nhyperloupe: explore: interrupted; the finished runs are in %s, the same command "
				"resumes\n", e.db_path);
		return 130;
	}
	return r ? 1 : 0;
}
