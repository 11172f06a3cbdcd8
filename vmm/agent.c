#include "vmm/agent.h"
#include "analysis/outfmt.h"
#include "vmm/proc.h"
#include "vmm/util.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the lock ---- */

/* Held for a few stores by a hypercall, or for one copy by the report.
 * The word is the holder's pid, so that a VMM process killed while it held
 * the lock (SIGKILL from outside) does not block the others forever. */
static void area_lock(struct agent_area *a)
{
	uint32_t me = (uint32_t)getpid();
	for (unsigned spins = 0;; spins++) {
		uint32_t cur = 0;
		if (__atomic_compare_exchange_n(&a->lock, &cur, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		if (spins >= 1000 && cur != me && kill((pid_t)cur, 0) < 0 && errno == ESRCH &&
		    __atomic_compare_exchange_n(&a->lock, &cur, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		sched_yield();
	}
}

static void area_unlock(struct agent_area *a)
{
	__atomic_store_n(&a->lock, 0, __ATOMIC_RELEASE);
}

/* ---- state ---- */

static void copy_name(char dst[AGENT_STR_SIZE], const char *src)
{
	size_t n = src ? strnlen(src, AGENT_STR_SIZE - 1) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

void agent_init(struct agent_area *a, const char *phase_filter)
{
	memset(a, 0, sizeof(*a));
	a->start_ns = now_ns();
	copy_name(a->phase_filter, phase_filter);
	__atomic_store_n(&a->recording, a->phase_filter[0] ? 0u : 1u, __ATOMIC_RELEASE);
}

static void mark(struct agent_area *a, const char *name, uint64_t t)
{
	if (a->nmarks < HL_HC_MAX_MARKS) {
		copy_name(a->marks[a->nmarks].name, name);
		a->marks[a->nmarks].t_ns = t;
		a->nmarks++;
	} else {
		a->marks_dropped++;
	}
	copy_name(a->phase, name);
	if (a->phase_filter[0])
		__atomic_store_n(&a->recording, strcmp(a->phase_filter, name) ? 0u : 1u, __ATOMIC_RELEASE);
}

static long metric(struct agent_area *a, const char *name, double v)
{
	uint32_t i;
	for (i = 0; i < a->nmetrics; i++)
		if (!strcmp(a->metrics[i].name, name))
			break;
	if (i == HL_HC_MAX_METRICS)
		return -ENOSPC;
	if (i == a->nmetrics) {
		copy_name(a->metrics[i].name, name);
		a->nmetrics++;
	}
	a->metrics[i].value = v;
	return 0;
}

/* The whole text is one finite number (strtod: leading blanks allowed). */
static long parse_value(const char *s, double *v)
{
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || *end || !isfinite(*v))
		return -EINVAL;
	return 0;
}

static bool name_ok(const char *s)
{
	return s && s[0] && strnlen(s, AGENT_STR_SIZE) <= HL_HC_NAME_MAX;
}

long agent_apply(struct agent_area *a, long op, long arg, const char *name, const char *value)
{
	double v = 0;
	switch (op) {
	case HL_HC_PROBE:
		return HL_HC_MAGIC;
	case HL_HC_STARTED:
	case HL_HC_READY:
	case HL_HC_EXITED:
		break;
	case HL_HC_MARK:
		if (!name_ok(name))
			return -EINVAL;
		break;
	case HL_HC_METRIC:
		if (!name_ok(name) || !value || strnlen(value, HL_HC_VALUE_MAX + 1) > HL_HC_VALUE_MAX ||
		    parse_value(value, &v))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (!a)
		return 0;
	uint64_t t = now_ns();
	long r = 0;
	area_lock(a);
	switch (op) {
	case HL_HC_STARTED:
		a->started_pid = (int32_t)arg;
		a->started_ns = t;
		a->events |= AGENT_STARTED;
		break;
	case HL_HC_READY:
		a->ready_ns = t;
		a->events |= AGENT_READY;
		break;
	case HL_HC_EXITED:
		a->wait_status = (int32_t)arg;
		a->exited_ns = t;
		a->events |= AGENT_EXITED;
		break;
	case HL_HC_MARK:
		mark(a, name, t);
		break;
	case HL_HC_METRIC:
		r = metric(a, name, v);
		break;
	}
	area_unlock(a);
	return r;
}

/* A guest string of at most max bytes: 0, -EFAULT or -EINVAL. */
static long get_str(struct proc *p, long addr, char *buf, size_t max)
{
	long r = guest_get_str(p, (uint64_t)addr, buf, max + 1);
	if (r == -ENAMETOOLONG || r == 0)
		return -EINVAL;
	return r < 0 ? r : 0;
}

long agent_hypercall(struct thread *t, const long a[6])
{
	struct proc *p = t->proc;
	char name[AGENT_STR_SIZE], value[HL_HC_VALUE_MAX + 1];
	const char *n = NULL, *v = NULL;
	long r;
	if (a[0] == HL_HC_MARK || a[0] == HL_HC_METRIC) {
		if ((r = get_str(p, a[1], name, HL_HC_NAME_MAX)))
			return r;
		n = name;
	}
	if (a[0] == HL_HC_METRIC) {
		if ((r = get_str(p, a[2], value, HL_HC_VALUE_MAX)))
			return r;
		v = value;
	}
	return agent_apply(p->run ? &p->run->agent : NULL, a[0], a[1], n, v);
}

/* ---- JSON ---- */

/* A name from the area (at most AGENT_STR_SIZE bytes). */
static void json_name(FILE *f, const char *str)
{
	out_json_strn(f, str, strnlen(str, AGENT_STR_SIZE));
}

static void json_name_or_null(FILE *f, const char *s)
{
	if (s[0])
		json_name(f, s);
	else
		fputs("null", f);
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v. */
static void json_double(FILE *f, double v)
{
	char buf[40];
	if (!isfinite(v))
		v = 0;
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, f);
}

static unsigned long long rel_ns(const struct agent_area *a, uint64_t t)
{
	return t > a->start_ns ? t - a->start_ns : 0;
}

static void json_events(const struct agent_area *a, FILE *f)
{
	fputs("  \"agent\": {\"phase_filter\": ", f);
	json_name_or_null(f, a->phase_filter);
	fputs(", \"phase\": ", f);
	json_name_or_null(f, a->phase);
	fprintf(f, ", \"recording\": %s,\n    \"started\": ", a->recording ? "true" : "false");
	if (a->events & AGENT_STARTED)
		fprintf(f, "{\"pid\": %d, \"t_ns\": %llu}", a->started_pid, rel_ns(a, a->started_ns));
	else
		fputs("null", f);
	fputs(", \"ready\": ", f);
	if (a->events & AGENT_READY)
		fprintf(f, "{\"t_ns\": %llu}", rel_ns(a, a->ready_ns));
	else
		fputs("null", f);
	fputs(",\n    \"exited\": ", f);
	if (a->events & AGENT_EXITED) {
		int ws = a->wait_status;
		int sig = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
		int st = sig ? 128 + sig : WIFEXITED(ws) ? WEXITSTATUS(ws) : 0;
		fprintf(f, "{\"exit_status\": %d, \"term_signal\": %d, \"wait_status\": %d, \"t_ns\": %llu}", st,
			sig, ws, rel_ns(a, a->exited_ns));
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\n    \"marks_dropped\": %u},\n", a->marks_dropped);
}

void agent_write_json(const struct agent_area *area, FILE *f)
{
	/* A consistent copy: other processes of the run may still be
	 * making hypercalls. */
	struct agent_area *a = malloc(sizeof(*a));
	if (!a)
		return;
	area_lock((struct agent_area *)area);
	memcpy(a, area, sizeof(*a));
	area_unlock((struct agent_area *)area);
	json_events(a, f);
	uint32_t nm = a->nmarks < HL_HC_MAX_MARKS ? a->nmarks : HL_HC_MAX_MARKS;
	fputs("  \"phases\": [", f);
	for (uint32_t i = 0; i < nm; i++) {
		fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", f);
		json_name(f, a->marks[i].name);
		fprintf(f, ", \"t_ns\": %llu}", rel_ns(a, a->marks[i].t_ns));
	}
	fputs(nm ? "\n  ],\n" : "],\n", f);
	uint32_t nv = a->nmetrics < HL_HC_MAX_METRICS ? a->nmetrics : HL_HC_MAX_METRICS;
	fputs("  \"metrics\": {", f);
	for (uint32_t i = 0; i < nv; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		json_name(f, a->metrics[i].name);
		fputs(": ", f);
		json_double(f, a->metrics[i].value);
	}
	fputs(nv ? "\n  },\n" : "},\n", f);
	free(a);
}
