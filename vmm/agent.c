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
