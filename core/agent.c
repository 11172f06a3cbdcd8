/* The agent's area (agent.h): state changes made by hypercalls. */
#include "core/agent.h"
#include "core/lib.h"
#include "core/sys.h"

#include <asm/unistd_64.h>
#include <linux/errno.h>

/* The lock word is the holder's pid, so that a process killed while it
 * held the lock (SIGKILL from outside) does not block the others forever. */
void agent_lock(struct agent_area *a)
{
	uint32_t me = (uint32_t)hl_sys6(__NR_getpid, 0, 0, 0, 0, 0, 0);
	for (unsigned spins = 0;; spins++) {
		uint32_t cur = 0;
		if (__atomic_compare_exchange_n(&a->lock, &cur, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		if (spins >= 1000 && cur != me && hl_sys6(__NR_kill, (long)cur, 0, 0, 0, 0, 0) == -ESRCH &&
		    __atomic_compare_exchange_n(&a->lock, &cur, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		hl_sys6(__NR_sched_yield, 0, 0, 0, 0, 0, 0);
	}
}

void agent_unlock(struct agent_area *a)
{
	__atomic_store_n(&a->lock, 0, __ATOMIC_RELEASE);
}

static void copy_name(char dst[AGENT_STR_SIZE], const char *src)
{
	size_t n = src ? hl_strnlen(src, AGENT_STR_SIZE - 1) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

void agent_init(struct agent_area *a, const char *phase_filter)
{
	memset(a, 0, sizeof(*a));
	a->start_ns = hl_now_ns();
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

static long metric(struct agent_area *a, const char *name, const char *text, double v)
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
	hl_strlcpy(a->metrics[i].text, text, sizeof(a->metrics[i].text));
	return 0;
}

static bool name_ok(const char *s)
{
	return s && s[0] && hl_strnlen(s, AGENT_STR_SIZE) <= HL_HC_NAME_MAX;
}

static long check(long op, const char *name, const char *value, double *v)
{
	switch (op) {
	case HL_HC_STARTED:
	case HL_HC_READY:
	case HL_HC_EXITED:
		return 0;
	case HL_HC_MARK:
		return name_ok(name) ? 0 : -EINVAL;
	case HL_HC_METRIC:
		if (!name_ok(name) || !value || hl_strnlen(value, HL_HC_VALUE_MAX + 1) > HL_HC_VALUE_MAX ||
		    !hl_parse_double(value, v))
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

static long apply(struct agent_area *a, long op, long arg, const char *name, const char *text, double v)
{
	uint64_t t = hl_now_ns();
	switch (op) {
	case HL_HC_STARTED:
		a->started_pid = (int32_t)arg;
		a->started_ns = t;
		a->events |= AGENT_STARTED;
		return 0;
	case HL_HC_READY:
		a->ready_ns = t;
		a->events |= AGENT_READY;
		return 0;
	case HL_HC_EXITED:
		a->wait_status = (int32_t)arg;
		a->exited_ns = t;
		a->events |= AGENT_EXITED;
		return 0;
	case HL_HC_MARK:
		mark(a, name, t);
		return 0;
	default:
		return metric(a, name, text, v);
	}
}

long agent_apply(struct agent_area *a, long op, long arg, const char *name, const char *value)
{
	double v = 0;
	if (op == HL_HC_PROBE)
		return HL_HC_MAGIC;
	long r = check(op, name, value, &v);
	if (r || !a)
		return r;
	agent_lock(a);
	r = apply(a, op, arg, name, value, v);
	agent_unlock(a);
	return r;
}
