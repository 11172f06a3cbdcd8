#include "vmm/stats.h"

#include <stdlib.h>
#include <string.h>

void stats_totals(const struct stats *s, struct stats_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < SC_TABLE_SIZE; i++) {
		t->calls += s->sc[i].count;
		t->errors += s->sc[i].errors;
		t->host_ns += s->sc[i].host_ns;
	}
	t->wall_ns = s->end_ns > s->start_ns ? s->end_ns - s->start_ns : 0;
	/* KVM_RUN time is guest user time plus the cost of each exit and
	 * re-entry; that cost is measured by calibration, not guessed. */
	double trips = (double)s->syscall_exits * s->cal_syscall_ns + (double)s->other_exits * s->cal_exit_ns;
	t->user_ns = (double)s->kvm_run_ns > trips ? s->kvm_run_ns - (uint64_t)trips : 0;
	uint64_t accounted = t->user_ns + t->host_ns;
	t->exit_overhead_ns = t->wall_ns > accounted ? t->wall_ns - accounted : 0;
	t->p = accounted ? (double)t->host_ns / (double)accounted : 0.0;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_syscalls(const struct stats *s, FILE *f)
{
	int first = 1;
	fputs("  \"syscalls\": {", f);
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
		fprintf(f, "%s\n    ", first ? "" : ",");
		json_str(f, name);
		fprintf(f, ": {\"nr\": %d, \"count\": %llu, \"errors\": %llu, \"host_ns\": %llu}", i,
			(unsigned long long)c->count, (unsigned long long)c->errors,
			(unsigned long long)c->host_ns);
		first = 0;
	}
	fputs(first ? "},\n" : "\n  },\n", f);
}

int stats_write_json(const struct stats *s, const struct run_info *ri, FILE *f)
{
	struct stats_totals t;
	stats_totals(s, &t);
	fputs("{\n  \"version\": 1,\n  \"program\": ", f);
	json_str(f, ri->program);
	fputs(",\n  \"argv\": [", f);
	for (int i = 0; i < ri->argc; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, ri->argv[i]);
	}
	fprintf(f, "],\n  \"exit_status\": %d,\n  \"term_signal\": %d,\n", ri->exit_status, ri->term_signal);
	json_syscalls(s, f);
	fprintf(f,
		"  \"calls\": %llu,\n  \"errors\": %llu,\n  \"unknown_syscalls\": %llu,\n"
		"  \"wall_ns\": %llu,\n  \"user_ns\": %llu,\n  \"host_ns\": %llu,\n"
		"  \"exit_overhead_ns\": %llu,\n  \"p\": %.6f,\n"
		"  \"exits\": {\"syscall\": %llu, \"other\": %llu},\n"
		"  \"kvm_run_ns\": %llu,\n  \"rewritten_sites\": %llu,\n"
		"  \"calibration\": {\"syscall_round_trip_ns\": %.1f, \"exit_round_trip_ns\": %.1f}\n}\n",
		(unsigned long long)t.calls, (unsigned long long)t.errors, (unsigned long long)s->unknown,
		(unsigned long long)t.wall_ns, (unsigned long long)t.user_ns,
		(unsigned long long)t.host_ns, (unsigned long long)t.exit_overhead_ns, t.p,
		(unsigned long long)s->syscall_exits, (unsigned long long)s->other_exits,
		(unsigned long long)s->kvm_run_ns, (unsigned long long)s->rewritten_sites, s->cal_syscall_ns, s->cal_exit_ns);
	return ferror(f) ? -1 : 0;
}

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

/* The layout of `strace -c`, so people can read it side by side. */
void stats_print_summary(const struct stats *s, FILE *f)
{
	int order[SC_TABLE_SIZE], n = 0;
	struct stats_totals t;
	stats_totals(s, &t);
	for (int i = 0; i < SC_TABLE_SIZE; i++)
		if (s->sc[i].count)
			order[n++] = i;
	qsort_r(order, (size_t)n, sizeof(int), by_time_desc, (void *)s);
	const char *rule = "------ ----------- ----------- --------- --------- ----------------";
	fprintf(f, "%% time     seconds  usecs/call     calls    errors syscall\n%s\n", rule);
	for (int k = 0; k < n; k++) {
		const struct sc_count *c = &s->sc[order[k]];
		const char *name = sc_name(order[k]);
		fprintf(f, "%6.2f %11.6f %11llu %9llu ", t.host_ns ? 100.0 * (double)c->host_ns / (double)t.host_ns : 0.0,
			(double)c->host_ns / 1e9, (unsigned long long)(c->host_ns / 1000 / c->count),
			(unsigned long long)c->count);
		if (c->errors)
			fprintf(f, "%9llu ", (unsigned long long)c->errors);
		else
			fprintf(f, "%9s ", "");
		fprintf(f, "%s\n", name ? name : "?");
	}
	fprintf(f, "%s\n100.00 %11.6f %11llu %9llu %9llu total\n", rule, (double)t.host_ns / 1e9,
		(unsigned long long)(t.calls ? t.host_ns / 1000 / t.calls : 0), (unsigned long long)t.calls,
		(unsigned long long)t.errors);
	fprintf(f, "hyperloupe: wall %.6f s, guest user %.6f s, host syscalls %.6f s, exit overhead %.6f s, p = %.4f\n",
		(double)t.wall_ns / 1e9, (double)t.user_ns / 1e9, (double)t.host_ns / 1e9,
		(double)t.exit_overhead_ns / 1e9, t.p);
}
