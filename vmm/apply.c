/* Applying the policy to one call (apply.h). */
#include "vmm/apply.h"
#include "vmm/util.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct pol_decision apply_decide(struct thread *t, long nr, const long a[6])
{
	struct proc *p = t->proc;
	int pa = sc_path_arg(nr);
	/* The recorder wants the path too (pseudo-files), policy or not. */
	t->has_path = pa >= 0 && guest_get_str(p, (uint64_t)a[pa], t->path, sizeof(t->path)) >= 0;
	if (!p->policy.n)
		return (struct pol_decision){POL_FORWARD, 0};
	if (!t->has_path || !policy_wants_path(&p->policy, nr))
		return policy_decide(&p->policy, nr, a, NULL);
	char alias[STATS_PATH_MAX];
	bool pseudo = stats_pseudo_file(t->path, getpid(), alias, sizeof(alias)) && strcmp(alias, t->path);
	return policy_decide_alias(&p->policy, nr, a, t->path, pseudo ? alias : NULL);
}

/* A new fd on empty content: an empty regular file, as a /proc file
 * looks, that reads as end of file and takes writes. */
static long fake_fd(void)
{
	long fd = memfd_create("hyperloupe-fake", 0);
	return fd < 0 ? -errno : fd;
}

static long fake_fd_pair(struct thread *t, uint64_t addr)
{
	int fds[2] = {(int)fake_fd(), (int)fake_fd()};
	long r = fds[0] < 0 || fds[1] < 0 ? -EMFILE : guest_put(t->proc, addr, fds, sizeof(fds));
	if (r) {
		close(fds[0]);
		close(fds[1]);
	}
	return r;
}

/* Bytes in the iovec array at iov (count entries), as writev returns. */
static long iov_bytes(struct thread *t, uint64_t iov, long count)
{
	uint64_t v[2], total = 0;
	if (count < 0 || count > 1024)
		return -EINVAL;
	for (long i = 0; i < count; i++) {
		if (guest_get(t->proc, iov + (uint64_t)i * 16, v, sizeof(v)))
			return -EFAULT;
		total += v[1];
	}
	return (long)total;
}

/* The iovec of a writev-like call (count from the table) or of the msghdr
 * of sendmsg (msg_iov at 16, msg_iovlen at 24). */
static long fake_iovlen(struct thread *t, long nr, const long a[6], int arg)
{
	const struct syscall_info *si = sc_lookup(nr);
	uint64_t m[2];
	if (si->args[arg].kind == SA_IOVEC_IN)
		return iov_bytes(t, (uint64_t)a[arg], a[si->args[arg].len_arg]);
	if (guest_get(t->proc, (uint64_t)a[arg] + 16, m, sizeof(m)))
		return -EFAULT;
	return iov_bytes(t, m[0], (long)m[1]);
}

static long fake_pid(struct thread *t, long nr)
{
	if (nr == SYS_getppid)
		return getppid();
	if (nr == SYS_gettid)
		return t->tid;
	return getpid();
}

long apply_fake(struct thread *t, long nr, const long a[6])
{
	uint8_t f = sc_fake(nr);
	int arg = FK_ARGN(f);
	switch (FK_KIND(f)) {
	case FK_FD:
		return fake_fd();
	case FK_ARG:
		return a[arg];
	case FK_IOVLEN:
		return fake_iovlen(t, nr, a, arg);
	case FK_PID:
		return fake_pid(t, nr);
	case FK_FDPAIR:
		return fake_fd_pair(t, (uint64_t)a[arg]);
	default:
		return 0;
	}
}

void apply_delay(struct thread *t)
{
	uint64_t want = t->proc->policy.delay_ns;
	uint64_t t0 = now_ns(), now = t0;
	while (now - t0 < want) {
		__builtin_ia32_pause();
		now = now_ns();
	}
	t->call_delay_ns += now - t0;
	stats_add(&t->proc->stats->delay_ns, now - t0);
	stats_add(&t->proc->stats->delays, 1);
}
