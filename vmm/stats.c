#include "vmm/stats.h"
#include "vmm/util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATS_VERSION 2

/* ---- the shared file ---- */

static size_t run_size(void)
{
	return sizeof(struct run_stats) + (size_t)STATS_MAX_PROCS * sizeof(struct stats);
}

struct run_stats *stats_run_create(int *fd)
{
	*fd = memfd_create("hyperloupe-stats", MFD_CLOEXEC);
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
	r->magic = STATS_MAGIC;
	r->version = STATS_VERSION;
	r->root_pid = getpid();
	r->start_ns = now_ns();
	return r;
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

/* Joined by NULs; an argument cut short still ends in a NUL, so readers
 * can split on NULs without looking at argv_len twice. */
static uint32_t join_argv(char *dst, int argc, char *const argv[])
{
	uint32_t used = 0;
	for (int i = 0; argv && i < argc && argv[i]; i++) {
		size_t room = STATS_ARGV_MAX - used;
		if (room == 0)
			break;
		size_t len = strlen(argv[i]), n = len < room - 1 ? len : room - 1;
		memcpy(dst + used, argv[i], n);
		dst[used + n] = '\0';
		used += (uint32_t)n + 1;
		if (n < len)
			break;
	}
	return used;
}

struct stats *stats_proc_new(struct run_stats *r, int pid, int ppid, const char *exe, int argc,
			     char *const argv[])
{
	uint32_t i = __atomic_fetch_add(&r->nprocs, 1, __ATOMIC_RELAXED);
	if (i >= STATS_MAX_PROCS)
		return NULL;
	/* Records are never reused, so this one is still all zero from
	 * ftruncate and only the identity needs writing. */
	struct stats *s = &r->procs[i];
	s->pid = pid;
	s->ppid = ppid;
	if (exe) {
		size_t n = strnlen(exe, STATS_EXE_MAX - 1);
		memcpy(s->exe, exe, n);
		s->exe[n] = '\0';
	}
	s->argv_len = join_argv(s->argv, argc, argv);
	s->start_ns = now_ns();
	s->threads = 1;
	/* Last, so a reader that sees RUNNING sees the identity too. */
	__atomic_store_n(&s->state, STATS_RUNNING, __ATOMIC_RELEASE);
	return s;
}

void stats_proc_end(struct stats *s, enum stats_state state, int exit_status, int term_signal)
{
	s->end_ns = now_ns();
	s->exit_status = exit_status;
	s->term_signal = term_signal;
	__atomic_store_n(&s->state, (uint32_t)state, __ATOMIC_RELEASE);
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

static void merge_one(struct stats *out, const struct stats *s, bool first)
{
	for (int i = 0; i < SC_TABLE_SIZE; i++) {
		out->sc[i].count += s->sc[i].count;
		out->sc[i].errors += s->sc[i].errors;
		out->sc[i].host_ns += s->sc[i].host_ns;
	}
	out->unknown += s->unknown;
	out->syscall_exits += s->syscall_exits;
	out->trampoline_exits += s->trampoline_exits;
	out->other_exits += s->other_exits;
	out->kvm_run_ns += s->kvm_run_ns;
	out->rewritten_sites += s->rewritten_sites;
	out->threads += s->threads;
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

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if there
 * is none: JSON readers reject invalid UTF-8, and a guest's argv may be
 * any bytes. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	if (len == 0 || s[0] >= 0xf5 || s[0] == 0xc0 || s[0] == 0xc1 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and numbers past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

/* At most n bytes of s; a byte that is not UTF-8 is written as the
 * Latin-1 character of the same value, so the output always parses. */
static void json_strn(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	fputc('"', f);
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = s[i];
		size_t len;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else if (c < 0x80)
			fputc(c, f);
		else if ((len = utf8_len(s + i, n - i)) != 0) {
			fwrite(s + i, 1, len, f);
			i += len - 1;
		} else
			fprintf(f, "\\u%04x", c);
	}
	fputc('"', f);
}

static void json_str(FILE *f, const char *s)
{
	json_strn(f, s, strlen(s));
}

/* A non-finite double is not JSON. */
static double json_num(double v)
{
	return isfinite(v) ? v : 0.0;
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
		json_str(f, name);
		fprintf(f, ": {\"nr\": %d, \"count\": %llu, \"errors\": %llu, \"host_ns\": %llu}", i,
			(unsigned long long)c->count, (unsigned long long)c->errors,
			(unsigned long long)c->host_ns);
		first = 0;
	}
	if (first)
		fputs("}", f);
	else
		fprintf(f, "\n%s}", indent);
}

static void json_head(const struct stats_filter *f, const struct run_info *ri, FILE *out)
{
	fprintf(out, "{\n  \"version\": %d,\n  \"program\": ", STATS_VERSION);
	json_str(out, ri->program ? ri->program : "");
	fputs(",\n  \"argv\": [", out);
	for (int i = 0; i < ri->argc; i++) {
		fputs(i ? ", " : "", out);
		json_str(out, ri->argv[i]);
	}
	fputs("],\n  \"only\": [", out);
	for (int i = 0; f && i < f->n; i++) {
		fputs(i ? ", " : "", out);
		json_str(out, f->names[i]);
	}
	fprintf(out, "],\n  \"exit_status\": %d,\n  \"term_signal\": %d,\n", ri->exit_status, ri->term_signal);
}

static void json_profile(const struct run_stats *r, const struct stats *m, const struct stats_totals *t,
			 FILE *f)
{
	json_syscalls(m, "  ", f);
	fprintf(f,
		",\n  \"calls\": %llu,\n  \"errors\": %llu,\n  \"unknown_syscalls\": %llu,\n"
		"  \"wall_ns\": %llu,\n  \"user_ns\": %llu,\n  \"host_ns\": %llu,\n"
		"  \"exit_overhead_ns\": %llu,\n  \"p\": %.6f,\n"
		"  \"exits\": {\"syscall\": %llu, \"trampoline\": %llu, \"other\": %llu},\n"
		"  \"kvm_run_ns\": %llu,\n  \"rewritten_sites\": %llu,\n"
		"  \"calibration\": {\"syscall_round_trip_ns\": %.1f, \"exit_round_trip_ns\": %.1f},\n",
		(unsigned long long)t->calls, (unsigned long long)t->errors, (unsigned long long)m->unknown,
		(unsigned long long)t->wall_ns, (unsigned long long)t->user_ns,
		(unsigned long long)t->host_ns, (unsigned long long)t->exit_overhead_ns, json_num(t->p),
		(unsigned long long)m->syscall_exits, (unsigned long long)m->trampoline_exits,
		(unsigned long long)m->other_exits, (unsigned long long)m->kvm_run_ns, (unsigned long long)m->rewritten_sites,
		json_num(r->cal_syscall_ns), json_num(r->cal_exit_ns));
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
		json_strn(f, s->argv + i, n);
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
	json_strn(f, s->exe, STATS_EXE_MAX);
	fputs(",\n     ", f);
	json_proc_argv(s, f);
	fprintf(f,
		"     \"state\": \"%s\", \"exit_status\": %d, \"term_signal\": %d, \"threads\": %llu,\n"
		"     \"calls\": %llu, \"errors\": %llu, \"wall_ns\": %llu, \"user_ns\": %llu, "
		"\"host_ns\": %llu, \"p\": %.6f,\n     \"in_profile\": %s,\n",
		state_name(st), s->exit_status, s->term_signal, (unsigned long long)s->threads,
		(unsigned long long)t.calls, (unsigned long long)t.errors, (unsigned long long)t.wall_ns,
		(unsigned long long)t.user_ns, (unsigned long long)t.host_ns, json_num(t.p),
		stats_filter_match(flt, s) ? "true" : "false");
	json_syscalls(s, "     ", f);
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
	json_head(f, ri, out);
	json_profile(r, m, &t, out);
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
	fprintf(out, "hyperloupe: wall %.6f s, guest user %.6f s, host syscalls %.6f s, exit overhead %.6f s, p = %.4f\n",
		(double)t.wall_ns / 1e9, (double)t.user_ns / 1e9, (double)t.host_ns / 1e9,
		(double)t.exit_overhead_ns / 1e9, t.p);
	uint32_t selected, all = count_procs(r, f, &selected);
	if (all > 1)
		fprintf(out, "hyperloupe: %u processes (%u in profile)\n", all, selected);
	free(m);
}
