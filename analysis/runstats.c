#include "analysis/runstats.h"
#include "analysis/outfmt.h"
#include "analysis/xlat.h"
#include "analysis/util.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>



/* ---- the shared file ---- */

static size_t run_size(void)
{
	return sizeof(struct run_stats) + (size_t)STATS_MAX_PROCS * sizeof(struct stats);
}

/* Named after the run's first VMM process, so that a viewer finds a
 * running workload by its pid (README "Live statistics"). */
static void shm_name(int pid, char *buf, size_t len)
{
	snprintf(buf, len, "/hyperloupe-%d", pid);
}

void stats_each_run(void (*fn)(int pid, bool alive, void *arg), void *arg)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		int pid;
		char name[64];
		if (sscanf(e->d_name, "hyperloupe-%d", &pid) != 1 || pid <= 0)
			continue;
		shm_name(pid, name, sizeof(name));
		if (!strcmp(name + 1, e->d_name))
			fn(pid, !(kill(pid, 0) && errno == ESRCH), arg);
	}
	if (d)
		closedir(d);
}

/* Runs killed before they could remove their segment leave it behind. */
static void remove_if_dead(int pid, bool alive, void *arg)
{
	char name[64];
	(void)arg;
	shm_name(pid, name, sizeof(name));
	if (!alive)
		shm_unlink(name);
}

static int run_file(void)
{
	char name[64];
	stats_each_run(remove_if_dead, NULL);
	shm_name(getpid(), name, sizeof(name));
	shm_unlink(name); /* a dead run that had our pid */
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	/* Without /dev/shm the run still works, unseen by viewers. */
	return fd >= 0 ? fd : memfd_create("hyperloupe-stats", MFD_CLOEXEC);
}

void stats_run_unpublish(struct run_stats *r)
{
	char name[64];
	__atomic_store_n(&r->ended, 1, __ATOMIC_RELEASE);
	shm_name(r->root_pid, name, sizeof(name));
	shm_unlink(name);
}

struct run_stats *stats_run_open(int pid)
{
	char name[64];
	shm_name(pid, name, sizeof(name));
	int fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	struct stat st;
	void *m = MAP_FAILED;
	if (!fstat(fd, &st) && (uint64_t)st.st_size >= run_size())
		m = mmap(NULL, run_size(), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	struct run_stats *r = m == MAP_FAILED ? NULL : m;
	if (r && (__atomic_load_n(&r->magic, __ATOMIC_ACQUIRE) != STATS_MAGIC || r->version != STATS_VERSION ||
		  r->header_size != sizeof(*r) || r->record_size != sizeof(struct stats))) {
		munmap(r, run_size());
		errno = EPROTO;
		return NULL;
	}
	if (!r)
		errno = EINVAL;
	return r;
}

void stats_run_close(const struct run_stats *r)
{
	munmap((void *)r, run_size());
}

struct run_stats *stats_run_create(int *fd)
{
	*fd = run_file();
	if (*fd < 0)
		return NULL;
	/* ftruncate leaves the file sparse: only the records handed out
	 * ever get pages. */
	void *m = MAP_FAILED;
	if (ftruncate(*fd, (off_t)run_size()) == 0)
		m = mmap(NULL, run_size(), PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (m == MAP_FAILED) {
		int e = errno;
		close(*fd);
		*fd = -1;
		errno = e;
		return NULL;
	}
	struct run_stats *r = m;
	r->version = STATS_VERSION;
	r->header_size = sizeof(*r);
	r->record_size = sizeof(struct stats);
	r->root_pid = getpid();
	r->start_ns = now_ns();
	agent_init(&r->agent, NULL);
	/* Last: a viewer that sees the magic sees the rest. */
	__atomic_store_n(&r->magic, STATS_MAGIC, __ATOMIC_RELEASE);
	return r;
}

void stats_run_set_phase(struct run_stats *r, const char *phase)
{
	agent_init(&r->agent, phase);
}

struct run_stats *stats_run_attach(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return NULL;
	if (st.st_size < 0 || (uint64_t)st.st_size < run_size()) {
		errno = EINVAL;
		return NULL;
	}
	struct run_stats *r = mmap(NULL, run_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r == MAP_FAILED)
		return NULL;
	if (r->magic != STATS_MAGIC || r->version != STATS_VERSION) {
		munmap(r, run_size());
		errno = EINVAL;
		return NULL;
	}
	return r;
}

/* Records handed out; the counter goes past the end when claims fail. */
static uint32_t used_procs(const struct run_stats *r)
{
	uint32_t n = __atomic_load_n(&r->nprocs, __ATOMIC_ACQUIRE);
	return n < STATS_MAX_PROCS ? n : STATS_MAX_PROCS;
}

static enum stats_state rec_state(const struct stats *s)
{
	return __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

/* ---- one record ---- */

/* The process's peak resident set, in KiB; 0 when /proc says nothing. */
static uint64_t vm_hwm_kb(void)
{
	char line[128];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/self/status", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

void stats_proc_end(struct stats *s, enum stats_state state, int exit_status, int term_signal)
{
	stats_proc_close(s, state, exit_status, term_signal, vm_hwm_kb());
}

/* ---- filter and merge ---- */

bool stats_filter_match(const struct stats_filter *f, const struct stats *s)
{
	if (!f || f->n == 0)
		return true;
	const char *slash = strrchr(s->exe, '/');
	const char *base = slash ? slash + 1 : s->exe;
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->names[i], s->exe) || !strcmp(f->names[i], base))
			return true;
	return false;
}

/* A running record has no end yet: its profile runs up to now. */
static uint64_t rec_end(const struct stats *s)
{
	return rec_state(s) == STATS_RUNNING ? now_ns() : s->end_ns;
}

static void sc_merge(struct sc_count *out, const struct sc_count *in)
{
	out->count += in->count;
	out->errors += in->errors;
	out->host_ns += in->host_ns;
	for (int a = 0; a < POL__COUNT; a++)
		out->outcome[a] += in->outcome[a];
}

static const char *feat_path(const struct stats *s, const struct feat_count *f)
{
	return f->path ? s->paths[f->path - 1] : "?";
}

static void merge_feats(struct stats *out, const struct stats *s)
{
	for (int i = 0; i < STATS_FEATS; i++) {
		const struct feat_count *f = &s->feats[i];
		uint32_t tag = __atomic_load_n(&f->tag, __ATOMIC_ACQUIRE);
		if (!tag || tag == FEAT_BUSY)
			continue;
		const char *name = tag >> 16 == FEAT_PATH ? feat_path(s, f) : NULL;
		struct feat_count *o = stats_feat_find(out, tag, f->key, name);
		if (o)
			sc_merge(&o->c, &f->c);
	}
}

static void merge_one(struct stats *out, const struct stats *s, bool first)
{
	for (int i = 0; i < SC_TABLE_SIZE; i++) {
		sc_merge(&out->sc[i], &s->sc[i]);
		for (int b = 0; b < STATS_HIST; b++)
			out->hist[i][b] += s->hist[i][b];
	}
	out->delay_ns += s->delay_ns;
	out->delays += s->delays;
	out->feats_lost += s->feats_lost;
	merge_feats(out, s);
	out->unknown += s->unknown;
	out->syscall_exits += s->syscall_exits;
	out->trampoline_exits += s->trampoline_exits;
	out->other_exits += s->other_exits;
	out->kvm_run_ns += s->kvm_run_ns;
	out->rewritten_sites += s->rewritten_sites;
	out->threads += s->threads;
	out->peak_rss_kb = s->peak_rss_kb > out->peak_rss_kb ? s->peak_rss_kb : out->peak_rss_kb;
	out->fds_peak = s->fds_peak > out->fds_peak ? s->fds_peak : out->fds_peak;
	uint64_t end = rec_end(s);
	if (first || s->start_ns < out->start_ns)
		out->start_ns = s->start_ns;
	if (first || end > out->end_ns)
		out->end_ns = end;
}

void stats_merge(const struct run_stats *r, const struct stats_filter *f, struct stats *out)
{
	memset(out, 0, sizeof(*out));
	bool first = true;
	uint32_t n = used_procs(r);
	for (uint32_t i = 0; i < n; i++) {
		const struct stats *s = &r->procs[i];
		if (rec_state(s) == STATS_FREE || !stats_filter_match(f, s))
			continue;
		merge_one(out, s, first);
		first = false;
	}
}

/* ---- derived figures ---- */

/* A calibration that failed must not wipe out the user time. */
static double cal_ns(double v)
{
	return isfinite(v) && v > 0 ? v : 0.0;
}

static void totals_until(const struct run_stats *r, const struct stats *s, uint64_t end,
			 struct stats_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < SC_TABLE_SIZE; i++) {
		t->calls += s->sc[i].count;
		t->errors += s->sc[i].errors;
		t->host_ns += s->sc[i].host_ns;
	}
	t->wall_ns = end > s->start_ns ? end - s->start_ns : 0;
	/* KVM_RUN time is guest user time plus the cost of each exit and
	 * re-entry; that cost is measured by calibration, not guessed. */
	double trips = 0;
	if (r)
		/* a rewritten site exits straight from user mode: the
		 * plain exit's cost, not the trampoline's */
		trips = (double)s->trampoline_exits * cal_ns(r->cal_syscall_ns) +
			(double)(s->syscall_exits - s->trampoline_exits + s->other_exits) *
				cal_ns(r->cal_exit_ns);
	t->user_ns = (double)s->kvm_run_ns > trips ? s->kvm_run_ns - (uint64_t)trips : 0;
	uint64_t accounted = t->user_ns + t->host_ns;
	t->exit_overhead_ns = t->wall_ns > accounted ? t->wall_ns - accounted : 0;
	t->p = accounted ? (double)t->host_ns / (double)accounted : 0.0;
}

void stats_totals(const struct run_stats *r, const struct stats *s, struct stats_totals *t)
{
	totals_until(r, s, s->end_ns, t);
}

/* The run-wide figures of the profile: the run's own wall time when the
 * root has closed it, and the exit overhead summed per record, because
 * processes that ran side by side share one wall clock. */
static void profile_totals(const struct run_stats *r, const struct stats_filter *f,
			   const struct stats *merged, struct stats_totals *t)
{
	stats_totals(r, merged, t);
	if (r->start_ns && r->end_ns > r->start_ns)
		t->wall_ns = r->end_ns - r->start_ns;
	t->exit_overhead_ns = 0;
	uint32_t n = used_procs(r);
	for (uint32_t i = 0; i < n; i++) {
		const struct stats *s = &r->procs[i];
		if (rec_state(s) == STATS_FREE || !stats_filter_match(f, s))
			continue;
		struct stats_totals pt;
		totals_until(r, s, rec_end(s), &pt);
		t->exit_overhead_ns += pt.exit_overhead_ns;
	}
}

/* Records in the run, and how many of them f selects. */
static uint32_t count_procs(const struct run_stats *r, const struct stats_filter *f, uint32_t *selected)
{
	uint32_t n = used_procs(r), all = 0;
	*selected = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (rec_state(&r->procs[i]) == STATS_FREE)
			continue;
		all++;
		*selected += stats_filter_match(f, &r->procs[i]);
	}
	return all;
}

/* ---- JSON ---- */

/* A non-finite double is not JSON. */
static double json_num(double v)
{
	return isfinite(v) ? v : 0.0;
}

static void json_counts(const struct sc_count *c, FILE *f)
{
	fprintf(f, "\"count\": %llu, \"errors\": %llu, \"host_ns\": %llu, ", (unsigned long long)c->count,
		(unsigned long long)c->errors, (unsigned long long)c->host_ns);
	fprintf(f, "\"forwarded\": %llu, \"local\": %llu, \"stubbed\": %llu, \"faked\": %llu",
		(unsigned long long)c->outcome[POL_FORWARD], (unsigned long long)c->outcome[POL_LOCAL],
		(unsigned long long)c->outcome[POL_STUB], (unsigned long long)c->outcome[POL_FAKE]);
}

const char *stats_feat_name(const struct stats *s, const struct feat_count *f, char *buf, size_t len)
{
	if (feat_is_path(f))
		return feat_path(s, f);
	return xlat_format(xlat_for(feat_nr(f)), f->key, buf, len);
}

/* One feature: its call, and its sub-feature by name or its path. */
static void json_feature(const struct stats *s, const struct feat_count *ft, FILE *f)
{
	const char *name = sc_name(feat_nr(ft));
	char buf[64];
	fputs("{\"syscall\": ", f);
	out_json_str(f, name ? name : "?");
	fputs(feat_is_path(ft) ? ", \"path\": " : ", \"sub\": ", f);
	out_json_str(f, stats_feat_name(s, ft, buf, sizeof(buf)));
	if (!feat_is_path(ft))
		fprintf(f, ", \"key\": %llu", (unsigned long long)ft->key);
	fputs(", ", f);
	json_counts(&ft->c, f);
	fputs("}", f);
}

static void json_features(const struct stats *s, const char *indent, FILE *f)
{
	int n = 0;
	fprintf(f, "%s\"features\": [", indent);
	for (int i = 0; i < STATS_FEATS; i++) {
		const struct feat_count *ft = &s->feats[i];
		if (!ft->tag || ft->tag == FEAT_BUSY || !ft->c.count)
			continue;
		fprintf(f, "%s\n%s  ", n++ ? "," : "", indent);
		json_feature(s, ft, f);
	}
	fprintf(f, "%s],\n%s\"features_lost\": %llu", n ? "\n" : "", n ? indent : "", (unsigned long long)s->feats_lost);
}

static void json_syscalls(const struct stats *s, const char *indent, FILE *f)
{
	int first = 1;
	fprintf(f, "%s\"syscalls\": {", indent);
	for (int i = 0; i < SC_TABLE_SIZE; i++) {
		const struct sc_count *c = &s->sc[i];
		if (!c->count)
			continue;
		const char *name = sc_name(i);
		char buf[32];
		if (!name) {
			snprintf(buf, sizeof(buf), "syscall_%d", i);
			name = buf;
		}
		fprintf(f, "%s\n%s  ", first ? "" : ",", indent);
		out_json_str(f, name);
		fprintf(f, ": {\"nr\": %d, ", i);
		json_counts(c, f);
		fputs(", \"latency_hist\": [", f);
		for (int b = 0; b < STATS_HIST; b++)
			fprintf(f, "%s%u", b ? ", " : "", s->hist[i][b]);
		fputs("]}", f);
		first = 0;
	}
	if (first)
		fputs("}", f);
	else
		fprintf(f, "\n%s}", indent);
}

static void json_policy(const struct policy *p, FILE *out)
{
	char buf[PATH_MAX + 128];
	fprintf(out, "  \"policy\": {\"forward_delay_ns\": %llu, \"rules\": [",
		(unsigned long long)(p ? p->delay_ns : 0));
	for (int i = 0; p && i < p->n; i++) {
		fputs(i ? ", " : "", out);
		out_json_str(out, policy_rule_format(&p->rules[i], buf, sizeof(buf)));
	}
	fputs("]},\n", out);
}

/* Which engine ran: the launcher of a sud run says so; a KVM run's
 * header was left empty. */
static const char *engine_name(const struct run_stats *r)
{
	return r->engine[0] ? r->engine : "kvm";
}

static void json_head(const struct run_stats *r, const struct stats_filter *f, const struct run_info *ri,
		      FILE *out)
{
	fprintf(out, "{\n  \"version\": %d,\n  \"engine\": \"%s\",\n  \"program\": ", STATS_VERSION,
		engine_name(r));
	out_json_str(out, ri->program ? ri->program : "");
	fputs(",\n  \"argv\": [", out);
	for (int i = 0; i < ri->argc; i++) {
		fputs(i ? ", " : "", out);
		out_json_str(out, ri->argv[i]);
	}
	fputs("],\n  \"only\": [", out);
	for (int i = 0; f && i < f->n; i++) {
		fputs(i ? ", " : "", out);
		out_json_str(out, f->names[i]);
	}
	fprintf(out, "],\n  \"exit_status\": %d,\n  \"term_signal\": %d,\n", ri->exit_status, ri->term_signal);
	json_policy(ri->policy, out);
}

static void json_profile(const struct run_stats *r, const struct stats *m, const struct stats_totals *t,
			 FILE *f)
{
	json_syscalls(m, "  ", f);
	fputs(",\n", f);
	json_features(m, "  ", f);
	fprintf(f, ",\n  \"forward_delay\": {\"requested_ns\": %llu, \"delays\": %llu, \"achieved_mean_ns\": %.1f}",
		(unsigned long long)r->delay_req_ns, (unsigned long long)m->delays,
		m->delays ? (double)m->delay_ns / (double)m->delays : 0.0);
	fprintf(f,
		",\n  \"calls\": %llu,\n  \"errors\": %llu,\n  \"unknown_syscalls\": %llu,\n"
		"  \"wall_ns\": %llu,\n  \"user_ns\": %llu,\n  \"host_ns\": %llu,\n"
		"  \"exit_overhead_ns\": %llu,\n  \"p\": %.6f,\n"
		"  \"exits\": {\"syscall\": %llu, \"trampoline\": %llu, \"other\": %llu},\n"
		"  \"kvm_run_ns\": %llu,\n  \"rewritten_sites\": %llu,\n"
		"  \"peak_rss_kb\": %llu,\n  \"fds_peak\": %llu,\n"
		"  \"calibration\": {\"syscall_round_trip_ns\": %.1f, \"exit_round_trip_ns\": %.1f},\n",
		(unsigned long long)t->calls, (unsigned long long)t->errors, (unsigned long long)m->unknown,
		(unsigned long long)t->wall_ns, (unsigned long long)t->user_ns,
		(unsigned long long)t->host_ns, (unsigned long long)t->exit_overhead_ns, json_num(t->p),
		(unsigned long long)m->syscall_exits, (unsigned long long)m->trampoline_exits,
		(unsigned long long)m->other_exits, (unsigned long long)m->kvm_run_ns, (unsigned long long)m->rewritten_sites,
		(unsigned long long)m->peak_rss_kb, (unsigned long long)m->fds_peak, json_num(r->cal_syscall_ns), json_num(r->cal_exit_ns));
}

static const char *state_name(enum stats_state st)
{
	switch (st) {
	case STATS_EXITED:
		return "exited";
	case STATS_EXECED:
		return "execed";
	default:
		return "running";
	}
}

static void json_proc_argv(const struct stats *s, FILE *f)
{
	uint32_t len = s->argv_len < STATS_ARGV_MAX ? s->argv_len : STATS_ARGV_MAX;
	fputs("\"argv\": [", f);
	for (uint32_t i = 0; i < len;) {
		size_t n = strnlen(s->argv + i, len - i);
		fputs(i ? ", " : "", f);
		out_json_strn(f, s->argv + i, n);
		i += (uint32_t)n + 1;
	}
	fputs("],\n", f);
}

static void json_proc(const struct run_stats *r, const struct stats_filter *flt, const struct stats *s,
		      FILE *f)
{
	enum stats_state st = rec_state(s);
	struct stats_totals t;
	totals_until(r, s, st == STATS_RUNNING ? now_ns() : s->end_ns, &t);
	fprintf(f, "    {\"pid\": %d, \"ppid\": %d, \"exe\": ", s->pid, s->ppid);
	out_json_strn(f, s->exe, STATS_EXE_MAX);
	fputs(",\n     ", f);
	json_proc_argv(s, f);
	fprintf(f,
		"     \"state\": \"%s\", \"exit_status\": %d, \"term_signal\": %d, \"threads\": %llu,\n"
		"     \"calls\": %llu, \"errors\": %llu, \"wall_ns\": %llu, \"user_ns\": %llu, "
		"\"host_ns\": %llu, \"p\": %.6f,\n     \"peak_rss_kb\": %llu, \"fds_peak\": %llu, \"in_profile\": %s,\n",
		state_name(st), s->exit_status, s->term_signal, (unsigned long long)s->threads,
		(unsigned long long)t.calls, (unsigned long long)t.errors, (unsigned long long)t.wall_ns,
		(unsigned long long)t.user_ns, (unsigned long long)t.host_ns, json_num(t.p),
		(unsigned long long)s->peak_rss_kb, (unsigned long long)s->fds_peak, stats_filter_match(flt, s) ? "true" : "false");
	json_syscalls(s, "     ", f);
	fputs(",\n", f);
	json_features(s, "     ", f);
	fputs("}", f);
}

static void json_procs(const struct run_stats *r, const struct stats_filter *flt, FILE *f)
{
	uint32_t n = used_procs(r), shown = 0;
	fputs("  \"processes\": [", f);
	for (uint32_t i = 0; i < n; i++) {
		if (rec_state(&r->procs[i]) == STATS_FREE)
			continue;
		fputs(shown ? ",\n" : "\n", f);
		json_proc(r, flt, &r->procs[i], f);
		shown++;
	}
	fprintf(f, "%s],\n  \"process_count\": %u\n}\n", shown ? "\n  " : "", shown);
}

int stats_write_json(const struct run_stats *r, const struct stats_filter *f,
		     const struct run_info *ri, FILE *out)
{
	/* Too big for the stack: one struct stats is over 12 KiB. */
	struct stats *m = malloc(sizeof(*m));
	if (!m)
		return -1;
	struct stats_totals t;
	stats_merge(r, f, m);
	profile_totals(r, f, m, &t);
	json_head(r, f, ri, out);
	json_profile(r, m, &t, out);
	agent_write_json(&r->agent, out);
	json_procs(r, f, out);
	free(m);
	return ferror(out) ? -1 : 0;
}

/* ---- strace -c ---- */

static int by_time_desc(const void *a, const void *b, void *arg)
{
	const struct stats *s = arg;
	const struct sc_count *x = &s->sc[*(const int *)a], *y = &s->sc[*(const int *)b];
	if (x->host_ns != y->host_ns)
		return x->host_ns < y->host_ns ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return *(const int *)a - *(const int *)b;
}

static void summary_table(const struct stats *s, const struct stats_totals *t, FILE *f)
{
	int order[SC_TABLE_SIZE], n = 0;
	for (int i = 0; i < SC_TABLE_SIZE; i++)
		if (s->sc[i].count)
			order[n++] = i;
	qsort_r(order, (size_t)n, sizeof(int), by_time_desc, (void *)s);
	const char *rule = "------ ----------- ----------- --------- --------- ----------------";
	fprintf(f, "%% time     seconds  usecs/call     calls    errors syscall\n%s\n", rule);
	for (int k = 0; k < n; k++) {
		const struct sc_count *c = &s->sc[order[k]];
		const char *name = sc_name(order[k]);
		fprintf(f, "%6.2f %11.6f %11llu %9llu ", t->host_ns ? 100.0 * (double)c->host_ns / (double)t->host_ns : 0.0,
			(double)c->host_ns / 1e9, (unsigned long long)(c->host_ns / 1000 / c->count),
			(unsigned long long)c->count);
		if (c->errors)
			fprintf(f, "%9llu ", (unsigned long long)c->errors);
		else
			fprintf(f, "%9s ", "");
		fprintf(f, "%s\n", name ? name : "?");
	}
	fprintf(f, "%s\n100.00 %11.6f %11llu %9llu %9llu total\n", rule, (double)t->host_ns / 1e9,
		(unsigned long long)(t->calls ? t->host_ns / 1000 / t->calls : 0), (unsigned long long)t->calls,
		(unsigned long long)t->errors);
}

/* The layout of `strace -c`, so people can read it side by side. */
void stats_print_summary(const struct run_stats *r, const struct stats_filter *f, FILE *out)
{
	struct stats *m = malloc(sizeof(*m));
	if (!m)
		return;
	struct stats_totals t;
	stats_merge(r, f, m);
	profile_totals(r, f, m, &t);
	summary_table(m, &t, out);
	fprintf(out, "hyperloupe: wall %.6f s, guest user %.6f s, host syscalls %.6f s, exit overhead %.6f s, p = %.4f (%s engine)\n",
		(double)t.wall_ns / 1e9, (double)t.user_ns / 1e9, (double)t.host_ns / 1e9,
		(double)t.exit_overhead_ns / 1e9, t.p, engine_name(r));
	uint32_t selected, all = count_procs(r, f, &selected);
	if (all > 1)
		fprintf(out, "hyperloupe: %u processes (%u in profile)\n", all, selected);
	free(m);
}

int stats_report(struct run_stats *r, const struct stats_filter *f, const struct run_info *ri,
		 const char *stats_path, bool summary)
{
	if (summary)
		stats_print_summary(r, f, stderr);
	if (!stats_path)
		return 0;
	FILE *out = fopen(stats_path, "w");
	if (!out || stats_write_json(r, f, ri, out) || fclose(out)) {
		hl_err("%s: cannot write statistics: %s", stats_path, strerror(errno));
		return -1;
	}
	return 0;
}
